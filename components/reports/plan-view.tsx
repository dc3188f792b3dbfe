import type { PlanPolicy, PlanRow } from "@/lib/allocate/planner";
import { Table, Td, Th } from "@/components/ui/table";

const POLICIES: { key: PlanPolicy; label: string; color: string }[] = [
  { key: "rules", label: "Current rules", color: "#64748b" },
  { key: "uniform", label: "Uniform", color: "#a5b4fc" },
  { key: "active", label: "Active", color: "#4338ca" },
];

const n = (x: number | null | undefined) => (x === null || x === undefined ? "—" : Math.ceil(x).toLocaleString("en"));

export function PlanTable({ rows, first }: { rows: PlanRow[]; first: string }) {
  if (rows.length === 0) return <p className="px-4 py-3 text-sm text-slate-600">No items.</p>;
  return (
    <Table caption={`Labels needed by ${first.toLowerCase()}`}>
      <thead className="bg-slate-50">
        <tr>
          <Th>{first}</Th>
          <Th numeric>Items</Th>
          <Th numeric>Rated</Th>
          <Th numeric>Judge agrees now</Th>
          {POLICIES.map((p) => <Th key={p.key} numeric>{p.label}: agreement</Th>)}
          {POLICIES.map((p) => <Th key={`b${p.key}`} numeric>{p.label}: bias</Th>)}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.stratum} data-testid={`plan-${r.stratum}`}>
            <Td>{r.stratum}</Td>
            <Td numeric>{r.items.toLocaleString("en")}</Td>
            <Td numeric>{r.labelled.toLocaleString("en")}</Td>
            <Td numeric>{r.agreement === null ? "—" : `${Math.round(r.agreement * 100)}%`}</Td>
            {POLICIES.map((p) => <Td key={p.key} numeric>{n(r.needed[p.key].agreement)}</Td>)}
            {POLICIES.map((p) => <Td key={`b${p.key}`} numeric>{n(r.needed[p.key].bias)}</Td>)}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** Grouped bars: labels needed for the agreement target per policy, and a tick at the items rated so far. */
export function PlanChart({ rows }: { rows: PlanRow[] }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">No items.</p>;
  const max = Math.max(1, ...rows.flatMap((r) => [...POLICIES.map((p) => r.needed[p.key].agreement), r.labelled]));
  const rowH = 34;
  const left = 90;
  const width = 640;
  const plot = width - left - 70;
  const height = rows.length * rowH + 30;
  const x = (v: number) => left + (v / max) * plot;
  return (
    <figure>
      <svg viewBox={`0 0 ${width} ${height}`} className="w-full max-w-3xl" role="img" aria-label="Labels needed per tail bucket and policy">
        {rows.map((r, i) => {
          const y = i * rowH + 4;
          return (
            <g key={r.stratum}>
              <text x={left - 8} y={y + 16} textAnchor="end" className="fill-slate-700 text-[11px]">{r.stratum}</text>
              {POLICIES.map((p, j) => {
                const v = r.needed[p.key].agreement;
                return (
                  <g key={p.key}>
                    <rect x={left} y={y + j * 9} width={Math.max(1, x(v) - left)} height={8} fill={p.color} />
                    {j === 2 && <text x={Math.max(x(v), x(r.needed.rules.agreement), x(r.needed.uniform.agreement)) + 4} y={y + 16} className="fill-slate-500 text-[10px]">{n(v)}</text>}
                  </g>
                );
              })}
              <line x1={x(r.labelled)} x2={x(r.labelled)} y1={y - 2} y2={y + 28} stroke="#0f172a" strokeWidth={1.5} />
            </g>
          );
        })}
      </svg>
      <figcaption className="mt-2 flex flex-wrap gap-4 text-xs text-slate-600">
        {POLICIES.map((p) => (
          <span key={p.key} className="inline-flex items-center gap-1">
            <span className="inline-block h-3 w-3" style={{ background: p.color }} aria-hidden /> {p.label}
          </span>
        ))}
        <span className="inline-flex items-center gap-1"><span className="inline-block h-3 w-0.5 bg-slate-900" aria-hidden /> rated so far</span>
        <span>Number: labels needed under active allocation.</span>
      </figcaption>
    </figure>
  );
}
