import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { listCampaigns } from "@/db/queries/campaigns";
import { getCurrentUser } from "@/lib/auth/session";
import { Badge, statusTone } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import { ProgressBar } from "@/components/ui/progress";
import { NewCampaignLink } from "@/components/campaigns/new-campaign-link";

export const metadata: Metadata = { title: "Campaigns" };
const PAGE_SIZE = 12;

export default async function CampaignsPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const { page: pageParam } = await searchParams;
  const page = Math.max(1, Number.parseInt(pageParam ?? "1", 10) || 1);
  const user = await getCurrentUser();
  const db = await getDb();
  const { rows, total } = await listCampaigns(db, {
    userId: user?.id ?? null,
    all: user?.role === "admin" || user?.role === "auditor",
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  return (
    <div className="space-y-6">
      <div className="relative">
        <div className="absolute right-0 top-0"><NewCampaignLink user={user} /></div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Campaigns</h1>
        <p className="mt-1 text-sm text-slate-600">
          {user ? "Public campaigns and the ones you belong to." : "Public campaigns. Sign in to rate items or see your own."}
        </p>
      </div>
      {rows.length === 0 ? (
        <EmptyState title="No campaigns yet" description="When a researcher opens a public campaign, it appears here." />
      ) : (
        <ul className="grid gap-4 md:grid-cols-2">
          {rows.map((c) => (
            <li key={c.id} className="flex flex-col rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
              <div className="flex items-start justify-between gap-3">
                <Link href={`/campaigns/${c.slug}`} className="text-lg font-semibold text-slate-900 no-underline hover:text-indigo-700 hover:underline">
                  {c.name}
                </Link>
                <div className="flex shrink-0 gap-1.5">
                  <Badge tone={statusTone[c.status]}>{c.status}</Badge>
                  {c.visibility === "invite" && <Badge tone="amber">invite-only</Badge>}
                  {c.memberRole && <Badge tone="indigo">{c.memberRole}</Badge>}
                </div>
              </div>
              <p className="mt-2 line-clamp-3 flex-1 text-sm text-slate-600">{c.description || "No description."}</p>
              <dl className="mt-4 grid grid-cols-3 gap-2 text-xs text-slate-500">
                <div><dt>Items</dt><dd className="text-sm font-semibold tabular-nums text-slate-900">{c.itemCount.toLocaleString("en")}</dd></div>
                <div><dt>Routed to people</dt><dd className="text-sm font-semibold tabular-nums text-slate-900">{c.routedCount.toLocaleString("en")}</dd></div>
                <div><dt>Ratings per item</dt><dd className="text-sm font-semibold tabular-nums text-slate-900">{c.k}</dd></div>
              </dl>
              <div className="mt-3">
                <ProgressBar value={c.doneCount} max={c.routedCount} label="Routed items fully rated" />
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={PAGE_SIZE} total={total} basePath="/campaigns" />
    </div>
  );
}
