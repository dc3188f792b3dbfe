import type { Metadata } from "next";
import { z } from "zod";
import { getDb } from "@/db";
import { AccessDenied } from "@/components/auth/access-denied";
import { AuditTable } from "@/components/admin/audit-table";
import { Pagination } from "@/components/ui/pagination";
import { can } from "@/lib/auth/permissions";
import { getCurrentUser } from "@/lib/auth/session";
import { auditActions, listAuditEvents } from "@/lib/audit/query";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Audit trail" };
const PAGE_SIZE = 50;
const params = z.object({
  page: z.coerce.number().int().min(1).catch(1),
  action: z.string().max(80).optional().catch(undefined),
  actor: z.string().max(254).optional().catch(undefined),
});

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const user = await getCurrentUser();
  if (!user) return <AccessDenied error={new AppError("unauthorized", "Sign in")} />;
  if (!can(user, "audit:read")) return <AccessDenied error={new AppError("forbidden", "Admins and auditors only")} />;
  const q = params.parse(await searchParams);
  const db = await getDb();
  const [{ rows, total }, actions] = await Promise.all([
    listAuditEvents(db, { action: q.action || undefined, actor: q.actor || undefined, limit: PAGE_SIZE, offset: (q.page - 1) * PAGE_SIZE }),
    auditActions(db),
  ]);
  const filterParams: Record<string, string> = {};
  if (q.action) filterParams.action = q.action;
  if (q.actor) filterParams.actor = q.actor;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Audit trail</h1>
        <p className="mt-1 text-sm text-slate-600">Every sign-up, failed sign-in, role and membership change, API key, import, routing run and export. Append-only.</p>
      </div>
      <form className="flex flex-wrap items-end gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200" method="get">
        <label className="text-sm">
          <span className="block font-medium text-slate-800">Action</span>
          <select name="action" defaultValue={q.action ?? ""} className="mt-1 rounded-md border-0 px-3 py-2 ring-1 ring-inset ring-slate-300">
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-800">Actor email</span>
          <input name="actor" defaultValue={q.actor ?? ""} type="email" className="mt-1 rounded-md border-0 px-3 py-2 ring-1 ring-inset ring-slate-300" />
        </label>
        <button type="submit" className="rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white">Filter</button>
        <a href={`/api/v1/audit.csv?${new URLSearchParams(filterParams).toString()}`} download className="rounded-md bg-white px-3.5 py-2 text-sm font-semibold text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Export CSV
        </a>
      </form>
      <AuditTable rows={rows} />
      <Pagination page={q.page} pageSize={PAGE_SIZE} total={total} basePath="/admin/audit" params={filterParams} />
    </div>
  );
}
