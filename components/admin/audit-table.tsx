import { EmptyState } from "@/components/ui/empty-state";
import { Table, Th } from "@/components/ui/table";
import { AuditRow, type AuditRowData } from "./audit-row";

/** Audit events; each row's details open in full (the whole JSON, formatted) on a row of their own below it. */
export function AuditTable({ rows }: { rows: (AuditRowData & { campaignSlug?: string | null })[] }) {
  if (rows.length === 0) return <EmptyState title="No audit events match" description="Change the filters to see more." />;
  return (
    <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <Table caption="Audit events">
        <thead className="bg-slate-50">
          <tr>
            <Th>Time</Th>
            <Th>Action</Th>
            <Th>Actor</Th>
            <Th>Target</Th>
            <Th>Campaign</Th>
            <Th>Details</Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <AuditRow key={r.id} row={{ id: r.id, action: r.action, actorEmail: r.actorEmail, targetType: r.targetType, targetId: r.targetId, campaignName: r.campaignName, ip: r.ip, details: r.details, createdAt: r.createdAt }} />
          ))}
        </tbody>
      </Table>
    </div>
  );
}
