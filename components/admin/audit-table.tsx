import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";

type Row = {
  id: number;
  action: string;
  actorEmail: string | null;
  targetType: string | null;
  targetId: string | null;
  campaignName: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
};

export function AuditTable({ rows }: { rows: Row[] }) {
  if (rows.length === 0) return <EmptyState title="No audit events match" description="Change the filters to see more." />;
  return (
    <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <Table caption="Audit events">
        <thead className="bg-slate-50">
          <tr>
            <Th>Time (UTC)</Th>
            <Th>Action</Th>
            <Th>Actor</Th>
            <Th>Target</Th>
            <Th>Campaign</Th>
            <Th>Details</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id}>
              <Td className="font-mono text-xs">{new Date(r.createdAt).toISOString().replace("T", " ").slice(0, 19)}</Td>
              <Td className="font-medium text-slate-900">{r.action}</Td>
              <Td>{r.actorEmail ?? <span className="text-slate-400">anonymous</span>}</Td>
              <Td className="max-w-[14rem] truncate text-xs">{r.targetType ? `${r.targetType}: ${r.targetId ?? ""}` : "—"}</Td>
              <Td>{r.campaignName ?? "—"}</Td>
              <Td className="max-w-[20rem] truncate font-mono text-xs" >{Object.keys(r.details).length ? JSON.stringify(r.details) : ""}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
