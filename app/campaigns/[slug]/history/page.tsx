import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { listMyJudgments } from "@/db/queries/contributor";
import { deny } from "@/components/auth/deny";
import { EditJudgmentForm } from "@/components/annotate/edit-judgment-form";
import { Badge } from "@/components/ui/badge";
import { FormattedDate } from "@/components/ui/date";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import { SUPERSEDED_RATING } from "@/lib/assign/edit-judgment";
import { getCurrentUser } from "@/lib/auth/session";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Your ratings" };
const PAGE_SIZE = 25;

// A contributor's own ratings in one campaign, editable until the campaign closes (edits are audited).
export default async function HistoryPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ page?: string }> }) {
  const { slug } = await params;
  const page = Math.max(1, Number.parseInt((await searchParams).page ?? "1", 10) || 1);
  const user = await getCurrentUser();
  let loaded;
  try {
    if (!user) throw new AppError("unauthorized", "Sign in");
    loaded = await loadCampaign(user, slug, "campaign:view");
  } catch (e) {
    if (e instanceof AppError) return deny(e);
    throw e;
  }
  const { campaign } = loaded;
  const db = await getDb();
  const { rows, total } = await listMyJudgments(db, campaign.id, user!.id, PAGE_SIZE, (page - 1) * PAGE_SIZE);
  const editable = campaign.status !== "closed";
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold tracking-tight text-slate-900">Your ratings</h1>
          <p className="mt-1 text-sm text-slate-600">
            <Link className="text-indigo-700 hover:underline" href={`/campaigns/${slug}`}>{campaign.name}</Link> ·{" "}
            {editable ? "You can change a rating until the campaign closes; changes are recorded." : "The campaign is closed; ratings are final."}
          </p>
        </div>
        {campaign.status === "active" && <Link className="text-sm font-semibold text-indigo-700 hover:underline" href={`/campaigns/${slug}/rate`}>Continue rating →</Link>}
      </div>
      {rows.length === 0 ? (
        <EmptyState title="No ratings yet" description="Items you rate in this campaign appear here." />
      ) : (
        <ul className="space-y-3">
          {rows.map((r) => (
            <li key={r.id} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <p className="line-clamp-2 min-w-0 flex-1 text-sm text-slate-800">{r.input || <span className="text-slate-500">(no input)</span>}</p>
                <div className="flex shrink-0 items-center gap-2 text-xs text-slate-500">
                  <span className="font-mono">{r.externalId}</span>
                  <FormattedDate value={r.createdAt} />
                  {r.editCount > 0 && <Badge tone="amber">edited {r.editCount}×</Badge>}
                  {r.superseded && (
                    <span title={SUPERSEDED_RATING} aria-describedby={`superseded-${r.id}`}>
                      <Badge tone="sky">Changed since you rated</Badge>
                    </span>
                  )}
                </div>
              </div>
              <div className="mt-3">
                {r.superseded ? (
                  <div className="space-y-1">
                    <p className="text-sm">Your rating: <strong>{String(r.value)}</strong>{r.rationale ? ` – ${r.rationale}` : ""}</p>
                    <p id={`superseded-${r.id}`} className="text-xs text-slate-600">{SUPERSEDED_RATING}</p>
                  </div>
                ) : editable ? (
                  <EditJudgmentForm slug={slug} judgmentId={r.id} rubric={campaign.rubric} value={r.value} rationale={r.rationale} />
                ) : (
                  <p className="text-sm">Your rating: <strong>{String(r.value)}</strong>{r.rationale ? ` – ${r.rationale}` : ""}</p>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      <Pagination page={page} pageSize={PAGE_SIZE} total={total} basePath={`/campaigns/${slug}/history`} />
    </div>
  );
}
