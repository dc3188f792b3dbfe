import type { GroupRow } from "@/db/queries/campaigns";
import { Table, Td, Th } from "@/components/ui/table";

const pct = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)}%` : "—");

/** Groups with size, share routed and share with at least one human rating, and mean tail score. */
export function GroupShareTable({ rows }: { rows: GroupRow[] }) {
  return (
    <Table caption="Groups">
      <thead className="bg-slate-50">
        <tr><Th>Group</Th><Th numeric>Items</Th><Th numeric>Share routed</Th><Th numeric>Share rated</Th><Th numeric>Mean tail score</Th></tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.group ?? "(none)"}>
            <Td className="font-medium text-slate-900">{r.group ?? "(none)"}</Td>
            <Td numeric>{r.items.toLocaleString("en")}</Td>
            <Td numeric>{pct(r.routed, r.items)}</Td>
            <Td numeric>{pct(r.judged, r.items)}</Td>
            <Td numeric>{r.tail === null ? "—" : r.tail.toFixed(2)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
