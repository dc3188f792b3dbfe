import type { Metadata } from "next";
import { z } from "zod";
import { getDb } from "@/db";
import { deny } from "@/components/auth/deny";
import { AuditTable } from "@/components/admin/audit-table";
import { Pagination } from "@/components/ui/pagination";
import { can } from "@/lib/auth/permissions";
import { getCurrentUser } from "@/lib/auth/session";
import { auditFilterOf, auditQueryParams, parseAuditQueryLenient } from "@/lib/audit/filter";
import { auditActions, auditCampaigns, listAuditEvents } from "@/lib/audit/query";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Audit trail" };
const PAGE_SIZE = 50;
const page = z.coerce.number().int().min(1).max(100_000).catch(1);

const field = "mt-1 block rounded-md border-0 bg-white px-3 py-2 text-sm text-slate-900 ring-1 ring-inset ring-slate-300";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await getCurrentUser();
  if (!user) return deny(new AppError("unauthorized", "Sign in"));
  if (!can(user, "audit:read")) return deny(new AppError("forbidden", "Admins and auditors only"));
  const raw = await searchParams;
  // The filters live in the address (shareable, kept by pagination and by "Export CSV"); the query runs here.
  const { query: q, invalid } = parseAuditQueryLenient(raw);
  const p = page.parse(Array.isArray(raw.page) ? raw.page[0] : raw.page);
  const db = await getDb();
  const [{ rows, total }, actions, campaignList] = await Promise.all([
    listAuditEvents(db, { ...auditFilterOf(q), limit: PAGE_SIZE, offset: (p - 1) * PAGE_SIZE }),
    auditActions(db),
    auditCampaigns(db),
  ]);
  const filterParams = auditQueryParams(q);
  // Each object's events as one choice too ("campaign." = every campaign event).
  const groups = [...new Set(actions.map((a) => `${a.split(".")[0]}.`))];
  const filtered = Object.keys(filterParams).length > 0;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Audit trail</h1>
        <p className="mt-1 text-sm text-slate-600">
          Every sign-up, failed sign-in, role and membership change, API key, import, routing run and export. Append-only. Action names are
          object.verb (e.g. campaign.create).
        </p>
      </div>
      <form className="flex flex-wrap items-end gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200" method="get" aria-label="Audit filters">
        <div className="text-sm">
          <label htmlFor="audit-from" className="block font-medium text-slate-800">From</label>
          <input id="audit-from" name="from" type="date" defaultValue={q.from ?? ""} className={field} />
        </div>
        <div className="text-sm">
          <label htmlFor="audit-to" className="block font-medium text-slate-800">To (inclusive)</label>
          <input id="audit-to" name="to" type="date" defaultValue={q.to ?? ""} className={field} />
        </div>
        <div className="text-sm">
          <label htmlFor="audit-campaign" className="block font-medium text-slate-800">Campaign</label>
          <select id="audit-campaign" name="campaign" defaultValue={q.campaign ?? ""} className={field}>
            <option value="">All campaigns</option>
            {campaignList.map((c) => (
              <option key={c.slug} value={c.slug}>{c.name}</option>
            ))}
            {q.campaign && !campaignList.some((c) => c.slug === q.campaign) && <option value={q.campaign}>{q.campaign}</option>}
          </select>
        </div>
        <div className="text-sm">
          <label htmlFor="audit-actor" className="block font-medium text-slate-800">Actor email</label>
          <input id="audit-actor" name="actor" defaultValue={q.actor ?? ""} type="text" inputMode="email" autoComplete="off" className={field} />
        </div>
        <div className="text-sm">
          <label htmlFor="audit-action" className="block font-medium text-slate-800">Action</label>
          <select id="audit-action" name="action" defaultValue={q.action ?? ""} className={field}>
            <option value="">All actions</option>
            <optgroup label="Every event of">
              {groups.map((g) => (
                <option key={g} value={g}>{g}*</option>
              ))}
            </optgroup>
            <optgroup label="One action">
              {actions.map((a) => (
                <option key={a} value={a}>{a}</option>
              ))}
            </optgroup>
            {q.action && !actions.includes(q.action) && !groups.includes(q.action) && <option value={q.action}>{q.action}</option>}
          </select>
        </div>
        <button type="submit" className="rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white hover:bg-indigo-700">Filter</button>
        {filtered && (
          <a href="/admin/audit" className="px-1 py-2 text-sm font-medium text-indigo-700 hover:underline">Clear filters</a>
        )}
        <a href={`/api/v1/audit.csv?${new URLSearchParams(filterParams).toString()}`} download className="rounded-md bg-white px-3.5 py-2 text-sm font-semibold text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Export CSV
        </a>
        <p className="basis-full text-xs text-slate-500">
          Dates are whole days in UTC. {filtered ? `${total.toLocaleString("en")} matching events; Export CSV exports exactly these.` : `${total.toLocaleString("en")} events.`}
        </p>
        {invalid.length > 0 && (
          <p role="alert" className="basis-full rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">
            Ignored: {invalid.join(", ")} (not a valid value{invalid.some((k) => k === "from" || k === "to") ? "; dates are YYYY-MM-DD" : ""}).
          </p>
        )}
      </form>
      <AuditTable rows={rows} />
      <Pagination page={p} pageSize={PAGE_SIZE} total={total} basePath="/admin/audit" params={filterParams} />
    </div>
  );
}
