import { GlossaryLink } from "./glossary";
import type { AllocationSection, TrustRow, YieldRow } from "@/lib/report/allocation";
import { Table, Td, Th } from "@/components/ui/table";
import { fmtCoef, fmtShare } from "./format";

const pct = (x: number) => `${Math.round(x * 100)}%`;

const NO_CERT: Record<TrustRow["reason"], string> = {
  certified: "",
  too_few_labels: "too few labels to test",
  none_qualifies: "no threshold qualifies: escalate all",
};

/** Per tail bucket and group: from which judge confidence on the judge can be trusted, and how much that covers. */
export function TrustTable({ section }: { section: AllocationSection }) {
  const { trust } = section;
  return (
    <Table caption="Trust certificates by stratum">
      <thead className="bg-slate-50">
        <tr>
          <Th>Stratum</Th>
          <Th numeric>Items</Th>
          <Th numeric>Rated</Th>
          <Th numeric>Trust from confidence<GlossaryLink term="trust" label="the trust threshold" /></Th>
          <Th numeric>Judge trusted on</Th>
          <Th numeric>Agreement above it</Th>
          <Th numeric>Disagreement at most</Th>
          <Th>Rest</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {trust.rows.map((r) => (
          <tr key={`${r.kind}:${r.key}`} data-testid={`trust-${r.kind}-${r.key}`}>
            <Td className="whitespace-normal">{r.label}</Td>
            <Td numeric>{r.items.toLocaleString("en")}</Td>
            <Td numeric>{r.labelled.toLocaleString("en")}</Td>
            <Td numeric>{r.threshold === null ? "—" : `≥ ${r.threshold.toFixed(2)}`}</Td>
            <Td numeric>{r.threshold === null ? "0%" : pct(r.coverage)}</Td>
            <Td numeric>{r.agreement === null ? "—" : `${pct(r.agreement)} (n ${r.n})`}</Td>
            <Td numeric>{r.disagreementUpper === null ? "—" : pct(r.disagreementUpper)}</Td>
            <Td className="whitespace-normal text-slate-600">{r.threshold === null ? NO_CERT[r.reason] : "escalate to people"}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

function YieldTable({ rows, caption, first }: { rows: YieldRow[]; caption: string; first: string }) {
  return (
    <Table caption={caption}>
      <thead className="bg-slate-50">
        <tr>
          <Th>{first}</Th>
          <Th numeric>Rated items</Th>
          <Th numeric>Human labels</Th>
          <Th numeric>Judge errors found</Th>
          <Th numeric>Errors per label<GlossaryLink term="yield" label="failure yield" /></Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.key} data-testid={`yield-${r.key}`}>
            <Td>{r.label}</Td>
            <Td numeric>{r.labelledItems.toLocaleString("en")}</Td>
            <Td numeric>{r.humanLabels.toLocaleString("en")}</Td>
            <Td numeric>{r.judgeErrors.toLocaleString("en")}</Td>
            <Td numeric>{r.perLabel === null ? "—" : r.perLabel.toFixed(3)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** Failure yield: judge errors found (judge ≠ human consensus) per human label, by why items were sampled and by round. */
export function YieldPanel({ section }: { section: AllocationSection }) {
  const { byReason, byRound } = section.yield;
  if (byReason.length === 0) return <p className="px-4 py-3 text-sm text-slate-600">No rated items yet: nothing to count.</p>;
  return (
    <div className="space-y-4">
      <YieldTable rows={byReason} caption="Failure yield by inclusion reason" first="Why sampled" />
      {byRound.length > 0 && <YieldTable rows={byRound} caption="Failure yield by round" first="Round (policy)" />}
    </div>
  );
}

/** Judge agreement and bias combined across rounds (Σ_t w_t θ̂_t), per stratum. */
export function RoundsTable({ section }: { section: AllocationSection }) {
  const rounds = section.rounds;
  if (!rounds) return null;
  return (
    <div className="space-y-2">
      <p className="px-4 pt-3 text-sm text-slate-600">
        {rounds.runs.map((r) => `round ${r.round} (${r.kind}, ${Math.round(r.expected).toLocaleString("en")} expected draws)`).join(" · ")}
        {rounds.unseen > 0 && ` · ${rounds.unseen.toLocaleString("en")} items imported after round 1 are left out of the combined estimates`}
      </p>
      <Table caption="Estimates combined across rounds">
        <thead className="bg-slate-50">
          <tr>
            <Th>Stratum</Th>
            <Th numeric>Judge agrees (combined)</Th>
            <Th numeric>Judge bias (combined)</Th>
            <Th>Per round</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rounds.strata.map((s) => (
            <tr key={`${s.kind}:${s.key}`} data-testid={`rounds-${s.kind}-${s.key}`}>
              <Td className="whitespace-normal">{s.label}</Td>
              <Td numeric>{fmtShare(s.agreement)}</Td>
              <Td numeric>{fmtCoef(s.bias, true)}</Td>
              <Td className="whitespace-normal text-xs text-slate-600">
                {s.perRound.map((p) => `r${p.round}: ${p.estimate === null ? "—" : pct(p.estimate)} (${p.labelled}/${p.drawn} rated)`).join(" · ")}
              </Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
