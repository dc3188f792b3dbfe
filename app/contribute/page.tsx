import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { countWaitingFor } from "@/db/queries/assign";
import { listMyCampaigns } from "@/db/queries/contributor";
import { deny } from "@/components/auth/deny";
import { JoinButton } from "@/components/annotate/join-button";
import { Badge, statusTone } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Markdown } from "@/components/ui/markdown";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "My campaigns" };
export const dynamic = "force-dynamic";

// "My campaigns": what a contributor rates (joined or invited) and the open public campaigns they may join.
export default async function ContributePage() {
  const user = await getCurrentUser();
  if (!user) return deny(new AppError("unauthorized", "Sign in"));
  const db = await getDb();
  const rows = await listMyCampaigns(db, user.id);
  const waiting = await countWaitingFor(db, rows.filter((r) => r.status === "active").map((r) => r.id), user.id, new Date());
  const mine = rows.filter((r) => r.memberRole === "annotator");
  const open = rows.filter((r) => r.memberRole === null);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">My campaigns</h1>
        <p className="mt-1 text-sm text-slate-600">Campaigns you rate for, and public ones you can join. Ratings are blind: you never see the AI judge&apos;s verdict.</p>
      </div>
      <section aria-labelledby="mine" className="space-y-3">
        <h2 id="mine" className="text-lg font-semibold text-slate-900">Rating</h2>
        {mine.length === 0 ? (
          <EmptyState title="You have not joined a campaign yet" description="Join a public campaign below, or accept an invitation from a researcher." />
        ) : (
          <ul className="grid gap-4 md:grid-cols-2">
            {mine.map((c) => (
              <CampaignCard key={c.id} c={c} waiting={waiting.get(c.id) ?? 0}>
                <div className="flex flex-wrap gap-2">
                  {c.status === "active" && <ButtonLink href={`/campaigns/${c.slug}/rate`}>Rate items</ButtonLink>}
                  <ButtonLink variant="secondary" href={`/campaigns/${c.slug}/history`}>Your ratings</ButtonLink>
                </div>
              </CampaignCard>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="open" className="space-y-3">
        <h2 id="open" className="text-lg font-semibold text-slate-900">Open to join</h2>
        {open.length === 0 ? (
          <EmptyState title="No other open campaigns" description="New public campaigns appear here when researchers open them." />
        ) : (
          <ul className="grid gap-4 md:grid-cols-2">
            {open.map((c) => (
              <CampaignCard key={c.id} c={c} waiting={waiting.get(c.id) ?? 0}>
                <JoinButton slug={c.slug} label="Join" />
              </CampaignCard>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function CampaignCard({ c, waiting, children }: { c: Awaited<ReturnType<typeof listMyCampaigns>>[number]; waiting: number; children: React.ReactNode }) {
  return (
    <li className="flex flex-col gap-3 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <div className="flex items-start justify-between gap-3">
        <Link href={`/campaigns/${c.slug}`} className="text-lg font-semibold text-slate-900 no-underline hover:text-indigo-700 hover:underline">{c.name}</Link>
        <div className="flex shrink-0 gap-1.5">
          <Badge tone={statusTone[c.status]}>{c.status}</Badge>
          {c.visibility === "invite" && <Badge tone="amber">invited</Badge>}
        </div>
      </div>
      <p className="line-clamp-2 text-sm text-slate-600">{c.description || "No description."}</p>
      <dl className="grid grid-cols-2 gap-2 text-xs text-slate-500">
        <div><dt>Waiting for you</dt><dd className="text-sm font-semibold tabular-nums text-slate-900">{c.status === "active" ? waiting.toLocaleString("en") : "–"}</dd></div>
        <div><dt>Rated by you</dt><dd className="text-sm font-semibold tabular-nums text-slate-900">{c.rated.toLocaleString("en")}</dd></div>
      </dl>
      <details className="text-sm">
        <summary className="cursor-pointer font-medium text-slate-700">Guidelines</summary>
        <div className="mt-2 max-h-64 overflow-y-auto">{c.guidelines ? <Markdown>{c.guidelines}</Markdown> : <p className="text-slate-500">No guidelines.</p>}</div>
      </details>
      {children}
    </li>
  );
}
