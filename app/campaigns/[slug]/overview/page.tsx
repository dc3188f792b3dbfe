import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { campaignProgress, groupCoverage } from "@/db/queries/campaigns";
import { histogram, judgmentDepth } from "@/db/queries/overview";
import { deny } from "@/components/auth/deny";
import { BarChart } from "@/components/charts/bar-chart";
import { GroupShareTable } from "@/components/campaigns/group-share-table";
import { RoutingStatusPanel } from "@/components/campaigns/routing-status";
import { latestRoutingRunAt } from "@/db/queries/routing";
import { Card, CardBody, CardHeader, Stat } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ProgressBar } from "@/components/ui/progress";
import { getCurrentUser } from "@/lib/auth/session";
import { loadCampaign } from "@/lib/campaigns/access";
import { YieldPanel } from "@/components/reports/allocation-panel";
import { DEFAULT_REPORT_PARAMS, getReport } from "@/lib/report";
import { AppError } from "@/lib/errors";
import { describeK, isAdaptive } from "@/lib/assign/adaptive-k";

export const metadata: Metadata = { title: "Campaign overview" };

const reasonLabel: Record<string, string> = { tail: "Rare (tail)", low_confidence: "Judge unsure", control: "Random control", prior_labels: "Prior labels", gold: "Gold", active: "Active", escalate: "Escalated" };
const tenths = Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`);

export default async function OverviewPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await getCurrentUser();
  let loaded;
  try {
    // Judge confidence is on this page: researchers and auditors only (annotators rate blind).
    loaded = await loadCampaign(user, slug, "judge:read");
  } catch (e) {
    if (e instanceof AppError) return deny(e);
    throw e;
  }
  const { campaign: c } = loaded;
  const db = await getDb();
  // The latest run is read before the figures, not beside them: the parallel queries each see their own snapshot,
  // and a run committing in between would mark stale figures as current (the status panel then never refreshes).
  const renderedRunAt = await latestRoutingRunAt(db, c.id);
  const [progress, groups, tail, conf, depth] = await Promise.all([
    campaignProgress(db, c.id, c),
    groupCoverage(db, c.id),
    histogram(db, c.id, "tail_score"),
    histogram(db, c.id, "judge_confidence"),
    judgmentDepth(db, c.id, c.k),
  ]);
  // Failure yield comes from the report (cached until the data changes).
  const report = progress.items > 0 ? (await getReport(c, DEFAULT_REPORT_PARAMS)).report : null;

  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm"><Link href={`/campaigns/${c.slug}`} className="text-indigo-700 hover:underline">← {c.name}</Link></p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">Overview</h1>
      </div>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Items" value={progress.items.toLocaleString("en")} />
        <Stat label="Routed to people" value={progress.routed.toLocaleString("en")} />
        <Stat label={`With all ratings (${describeK(c)})`} value={progress.fullyJudged.toLocaleString("en")} />
        <Stat label="Human ratings" value={progress.judgments.toLocaleString("en")} />
      </dl>
      <RoutingStatusPanel campaignId={c.id} renderedRunAt={renderedRunAt} />
      {progress.items === 0 ? (
        <EmptyState title="No items yet" description="Import a JSONL or CSV file to see tail scores, judge confidence and routing." action={<Link className="font-semibold text-indigo-700" href={`/campaigns/${c.slug}/import`}>Import items</Link>} />
      ) : (
        <>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card>
              <CardHeader title="Tail scores" description={`Method: ${c.tailMethod}. Higher = rarer; tail threshold ${c.routingPolicy.tailThreshold}.${tail.missing ? ` ${tail.missing} item(s) without a score.` : ""}`} />
              <CardBody><BarChart title="Histogram of tail scores" xLabel="Tail score" bars={tenths.map((label, i) => ({ label, value: tail.counts[i]! }))} /></CardBody>
            </Card>
            <Card>
              <CardHeader title="Judge confidence" description={`Below ${c.routingPolicy.confidenceThreshold} goes to people.${conf.missing ? ` ${conf.missing} item(s) without a confidence.` : ""}`} />
              <CardBody><BarChart title="Histogram of judge confidence" xLabel="Judge confidence" color="#0ea5e9" bars={tenths.map((label, i) => ({ label, value: conf.counts[i]! }))} /></CardBody>
            </Card>
            <Card>
              <CardHeader title="Routed items by reason" description={`Control rate p = ${c.routingPolicy.controlRate}.`} />
              <CardBody>
                {progress.byReason.length === 0 ? <p className="text-sm text-slate-500">Nothing routed yet.</p> : (
                  <BarChart title="Routed items by reason" xLabel="Reason" color="#10b981" bars={progress.byReason.map((r) => ({ label: reasonLabel[r.reason] ?? r.reason, value: r.n }))} />
                )}
              </CardBody>
            </Card>
            <Card>
              <CardHeader title={`Progress toward ${describeK(c)}`} description={isAdaptive(c) ? `Routed items by number of human ratings so far. Items stop at ${c.kMin} ratings that agree and collect up to ${c.k} when they do not.` : "Routed items by number of human ratings so far."} />
              <CardBody className="space-y-4">
                <ProgressBar value={progress.fullyJudged} max={progress.routed} label={`Routed items with all their ratings (${describeK(c)})`} />
                <BarChart title="Routed items by number of ratings" xLabel="Ratings" color="#f59e0b" bars={depth.map((n, j) => ({ label: j === c.k ? `${j}+` : String(j), value: n }))} />
              </CardBody>
            </Card>
          </div>
          {report?.allocation && (
            <Card>
              <CardHeader title="Failure yield" description="Judge errors found (judge ≠ human consensus) per human label, by why items were sampled and by round." />
              <CardBody className="p-0"><YieldPanel section={report.allocation} /></CardBody>
            </Card>
          )}
          <Card>
            <CardHeader title="Groups" description={c.stratificationKey ? `By “${c.stratificationKey}”, most common first.` : "No stratification key: one group."} />
            <CardBody className="p-0"><GroupShareTable rows={groups} /></CardBody>
          </Card>
        </>
      )}
    </div>
  );
}
