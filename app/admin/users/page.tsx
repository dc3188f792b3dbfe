import type { Metadata } from "next";
import { z } from "zod";
import { getDb } from "@/db";
import { deny } from "@/components/auth/deny";
import { RoleSelect } from "@/components/admin/role-select";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/permissions";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { languageName, listUsers } from "@/lib/users/admin";

export const metadata: Metadata = { title: "Users" };
const PAGE_SIZE = 25;
const params = z.object({
  page: z.coerce.number().int().min(1).catch(1),
  q: z.string().max(100).optional().catch(undefined),
  role: z.enum(["contributor", "researcher", "auditor", "admin"]).optional().catch(undefined),
});

export default async function UsersPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const user = await getCurrentUser();
  if (!user) return deny(new AppError("unauthorized", "Sign in"));
  if (!can(user, "admin:users")) return deny(new AppError("forbidden", "Admins only"));
  const q = params.parse(await searchParams);
  const { rows, total } = await listUsers(await getDb(), { q: q.q, role: q.role, limit: PAGE_SIZE, offset: (q.page - 1) * PAGE_SIZE });
  const filterParams: Record<string, string> = {};
  if (q.q) filterParams.q = q.q;
  if (q.role) filterParams.role = q.role;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Users</h1>
        <p className="mt-1 text-sm text-slate-600">Find contributors by language or region, and promote people to researcher, auditor or admin.</p>
      </div>
      <form method="get" className="flex flex-wrap items-end gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <label className="text-sm">
          <span className="block font-medium text-slate-800">Name, email, language or region</span>
          <input name="q" defaultValue={q.q ?? ""} placeholder="e.g. sw, Swahili, Lagos" className="mt-1 w-72 rounded-md border-0 bg-white px-3 py-2 text-slate-900 ring-1 ring-inset ring-slate-300 placeholder:text-slate-500" />
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-800">Role</span>
          <select name="role" defaultValue={q.role ?? ""} className="mt-1 rounded-md border-0 bg-white px-3 py-2 text-slate-900 ring-1 ring-inset ring-slate-300">
            <option value="">All roles</option>
            {["contributor", "researcher", "auditor", "admin"].map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit" className="rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white hover:bg-indigo-700">Search</button>
      </form>
      {rows.length === 0 ? (
        <EmptyState title="No users match" />
      ) : (
        <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <Table caption="Users">
            <thead className="bg-slate-50">
              <tr><Th>Name</Th><Th>Email</Th><Th>Languages</Th><Th>Region</Th><Th>Role</Th></tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((r) => (
                <tr key={r.id}>
                  <Td className="font-medium text-slate-900">{r.name}</Td>
                  <Td>{r.email}</Td>
                  <Td>{r.languages.length ? r.languages.map((l, i) => <span key={l}>{i > 0 && ", "}<abbr title={languageName(l)} className="no-underline">{l}</abbr></span>) : "—"}</Td>
                  <Td>{r.region ?? "—"}</Td>
                  <Td><RoleSelect userId={r.id} role={r.role} disabled={r.id === user.id} label={`Role of ${r.name}`} /></Td>
                </tr>
              ))}
            </tbody>
          </Table>
        </div>
      )}
      <Pagination page={q.page} pageSize={PAGE_SIZE} total={total} basePath="/admin/users" params={filterParams} />
    </div>
  );
}
