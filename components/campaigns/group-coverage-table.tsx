import type { GroupRow } from "@/db/queries/campaigns";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";

export function GroupCoverageTable({ rows }: { rows: GroupRow[] }) {
  if (rows.length === 0) return <div className="p-5"><EmptyState title="No items yet" description="Import items to see how they spread over groups." /></div>;
  const max = Math.max(...rows.map((r) => r.items));
  return (
    <Table caption="Coverage by group">
      <thead className="bg-slate-50">
        <tr>
          <Th>Group</Th>
          <Th>Share</Th>
          <Th numeric>Items</Th>
          <Th numeric>Routed</Th>
          <Th numeric>Rated</Th>
          <Th numeric>Tail score</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.group ?? "(none)"}>
            <Td className="font-medium text-slate-900">{r.group ?? "(none)"}</Td>
            <Td>
              <div className="h-2 w-28 rounded-full bg-slate-100" aria-hidden>
                <div className="h-2 rounded-full bg-indigo-400" style={{ width: `${Math.max(2, (100 * r.items) / max)}%` }} />
              </div>
            </Td>
            <Td numeric>{r.items.toLocaleString("en")}</Td>
            <Td numeric>{r.routed.toLocaleString("en")}</Td>
            <Td numeric>{r.judged.toLocaleString("en")}</Td>
            <Td numeric>{r.tail === null ? "—" : r.tail.toFixed(2)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
