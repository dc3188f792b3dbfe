import type { Metadata } from "next";
import Link from "next/link";
import { deny } from "@/components/auth/deny";
import { RoundsTable, TrustTable, YieldPanel } from "@/components/reports/allocation-panel";
import { CorrectedPanel } from "@/components/reports/corrected-panel";
import { DisagreementFilters, DisagreementList } from "@/components/reports/disagreements";
import { fmtCoef, fmtShare } from "@/components/reports/format";
import { Glossary, GlossaryLink } from "@/components/reports/glossary";
import { GroupTable } from "@/components/reports/group-table";
import { EmptyState } from "@/components/ui/empty-state";
import { MeasuresTable, RecordPanel } from "@/components/reports/record-panel";
import { TailGap } from "@/components/reports/tail-gap";
import { Card, CardBody, CardHeader, Stat } from "@/components/ui/card";
import { FormattedDate } from "@/components/ui/date";
import { getCurrentUser } from "@/lib/auth/session";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";
import { can } from "@/lib/auth/permissions";
import { DEFAULT_REPORT_PARAMS, disagreementPage, getReport, reportParamsSchema, reportQuery, type ReportParams } from "@/lib/report";
import type { ReadFreshness } from "@/db/replica";
import { FreshnessLine } from "@/components/reports/freshness-line";

export const metadata: Metadata = { title: "Disagreement report" };

const SET_ASIDE_SHORT: Record<string, string> = {
  outside_design: "outside the design",
  superseded: "on a superseded version",
  excluded_rater: "by excluded raters",
  gold: "on gold items",
  off_scale: "off the scale",
};
export const dynamic = "force-dynamic";

const PAGE_SIZE = 10;
type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function ReportPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Search> }) {
  const { slug } = await params;
  const search = await searchParams;
  const user = await getCurrentUser();
  let campaign;
  let access;
  try {
    ({ campaign, access } = await loadCampaign(user, slug, "report:read"));
  } catch (e) {
    if (e instanceof AppError) return deny(e);
    throw e;
  }
  const parsed = reportParamsSchema.safeParse({ cuts: one(search.cuts), minN: one(search.minN), ref: one(search.ref), run: one(search.run) });
  const paramError = parsed.success ? null : (parsed.error.issues[0]?.message ?? "invalid parameters");
  const reportParams: ReportParams = parsed.success
    ? { cuts: parsed.data.cuts, minN: parsed.data.minN, reference: parsed.data.ref, ...(parsed.data.run ? { run: parsed.data.run } : {}) }
    : DEFAULT_REPORT_PARAMS;
  let report;
  let freshness: ReadFreshness;
  let reads;
  try {
    ({ report, freshness, reads } = await getReport(campaign, reportParams));
  } catch (e) {
    if (e instanceof AppError) return deny(e);
    throw e;
  }

  const group = one(search.group);
  const bucket = one(search.bucket);
  const page = Math.max(1, Math.min(1000, Number.parseInt(one(search.page) ?? "1", 10) || 1));
  // The evidence is read where the report was, so it shows the same item versions.
  const disagreements = await disagreementPage(campaign.id, report, { group, bucket }, page, PAGE_SIZE, reads);

  const basePath = `/campaigns/${encodeURIComponent(campaign.slug)}/report`;
  const keep: Record<string, string> = {};
  if (one(search.cuts) && parsed.success) keep.cuts = one(search.cuts)!;
  if (one(search.minN) && parsed.success) keep.minN = one(search.minN)!;
  if (one(search.ref) && parsed.success) keep.ref = one(search.ref)!;
  if (one(search.run) && parsed.success) keep.run = one(search.run)!;
  const filterParams = { ...keep, ...(group ? { group } : {}), ...(bucket ? { bucket } : {}) };
  const o = report.overall;
  const setAside = report.accounting.setAside.reduce((n, x) => n + x.judgments, 0);
  // The human ceiling, in one sentence beside the headline numbers: why the judge can out-score people.
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  const ceilingNote =
    o.judgeAgreement && o.humanAgreement
      ? o.judgeAgreement.estimate > o.humanAgreement.estimate
        ? `The judge agrees with the human consensus on ${pct(o.judgeAgreement.estimate)} of items, more than two people agree with each other (${pct(o.humanAgreement.estimate)}, the human ceiling): the judge is compared with the consensus of several raters, which is steadier than any single person, so beating the ceiling does not mean the judge rates better than a person would.`
        : `The judge agrees with the human consensus on ${pct(o.judgeAgreement.estimate)} of items; two people agree with each other on ${pct(o.humanAgreement.estimate)} (the human ceiling). A judge near the ceiling disagrees with people about as much as they disagree among themselves.`
      : null;
  const refValue = report.reference.kind === "group" ? `group:${report.reference.key}` : "bucket";

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-sm text-slate-500">
            <Link href={`/campaigns/${encodeURIComponent(campaign.slug)}`} className="hover:underline">{campaign.name}</Link>
          </p>
          <h1 className="text-2xl font-bold tracking-tight text-slate-900">Disagreement report</h1>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">
            Where the AI judge disagrees with people. Every figure is corrected for how items were routed to people (inverse inclusion probabilities) and shown with a
            95% interval; strata with fewer than {report.params.minN} rated items say “not enough data”.
          </p>
        </div>
        <form method="get" action={basePath} className="flex flex-wrap items-end gap-2 text-sm" aria-label="Report settings">
          <label className="font-medium text-slate-800">
            Tail cut points
            <input name="cuts" defaultValue={one(search.cuts) ?? ""} placeholder="deciles, or e.g. 0.5,0.8" className="mt-1 block w-44 rounded-md border-0 px-2 py-1.5 ring-1 ring-inset ring-slate-300" />
          </label>
          {/* A label beside the select, not around it: a wrapping label's name would include every option's text. */}
          <div className="font-medium text-slate-800">
            <label htmlFor="report-ref">Compare with</label>
            <select id="report-ref" name="ref" defaultValue={refValue} className="mt-1 block w-44 rounded-md border-0 px-2 py-1.5 ring-1 ring-inset ring-slate-300">
              <option value="bucket">the bulk tail bucket</option>
              {report.groups.filter((g) => g.judgeAgreement !== null).map((g) => (
                <option key={g.key} value={`group:${g.key}`}>{g.key}</option>
              ))}
            </select>
          </div>
          {report.params.run && one(search.run) && <input type="hidden" name="run" value={report.params.run} />}
          <label className="font-medium text-slate-800">
            Minimum n
            <input name="minN" type="number" min={2} max={10000} defaultValue={report.params.minN} className="mt-1 block w-20 rounded-md border-0 px-2 py-1.5 ring-1 ring-inset ring-slate-300" />
          </label>
          <button type="submit" className="rounded-md px-3 py-1.5 font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50">Apply</button>
        </form>
      </div>
      {paramError && <p role="alert" className="rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-800">Settings ignored: {paramError}. Showing deciles.</p>}

      <p className="text-sm text-slate-600" data-testid="report-accounting">
        Counted {report.accounting.counted.judgments.toLocaleString("en")} judgments on {report.accounting.counted.items.toLocaleString("en")} items
        {setAside > 0 ? `; ${setAside.toLocaleString("en")} set aside (${report.accounting.setAside.map((x) => `${x.judgments.toLocaleString("en")} ${SET_ASIDE_SHORT[x.reason]}`).join(", ")})` : "; nothing set aside"}
        {report.design ? <> · design: routing run <code className="text-xs">{report.design.runId.slice(0, 8)}</code></> : null} ·{" "}
        <a href="#counted" className="text-indigo-700 underline hover:text-indigo-900">what this report counted</a>
        {can(user, "export:create", access) && (
          <>
            {" "}· download this report with its evidence:{" "}
            <a href={`/api/v1/campaigns/${campaign.id}/exports/bundle?${new URLSearchParams({ format: "csv", ...reportQuery(report.params) })}`} className="text-indigo-700 underline hover:text-indigo-900">
              CSV bundle
            </a>{" "}
            (recompute it with <code className="text-xs">scripts/reproduce-report.py</code>)
          </>
        )}
      </p>

      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-5">
        <Stat label="Rated items" value={o.counts.labelled.toLocaleString("en")} hint={`of ${o.counts.sampled.toLocaleString("en")} in the sample, ${o.counts.items.toLocaleString("en")} items`} />
        <Stat label={<>Judge agrees<GlossaryLink term="agreement" label="judge agreement" /></>} value={o.judgeAgreement ? `${Math.round(o.judgeAgreement.estimate * 100)}%` : "—"} hint={fmtShare(o.judgeAgreement)} />
        <Stat label={<>Humans agree<GlossaryLink term="ceiling" label="the human ceiling" /></>} value={o.humanAgreement ? `${Math.round(o.humanAgreement.estimate * 100)}%` : "—"} hint={`α ${fmtCoef(o.humanAlpha)}`} />
        <Stat label={<>Judge κ ({report.kappaWeights})<GlossaryLink term={report.kappaWeights === "unweighted" ? "kappa" : "kappa-weighted"} label="κ" /></>} value={o.kappa ? o.kappa.estimate.toFixed(2) : "—"} hint={fmtCoef(o.kappa)} />
        <Stat label={<>Judge bias<GlossaryLink term="bias" label="bias" /></>} value={o.bias ? `${o.bias.estimate > 0 ? "+" : ""}${o.bias.estimate.toFixed(2)}` : "—"} hint={o.bias ? `corrected; naive ${fmtCoef(o.biasNaive, true)}` : "nominal rubric"} />
      </dl>
      {ceilingNote && (
        <p className="max-w-4xl text-sm text-slate-700" data-testid="ceiling-note">
          {ceilingNote} <a href="#glossary-ceiling" className="text-indigo-700 underline hover:text-indigo-900">About the human ceiling</a>
        </p>
      )}

      {o.counts.labelled === 0 ? (
        <Card>
          <CardBody>
            <EmptyState
              title="No rated items yet"
              description="The charts and tables appear once people have rated routed items. Share the campaign with contributors (or invite annotators), then come back: every figure is computed from the counted ratings."
            />
          </CardBody>
        </Card>
      ) : (
      <>
      <Card>
        <CardHeader title="Tail gap" description="Is the judge as good on rare items as on common ones? Indigo bars: judge–human exact agreement; slate bars: how often two people agree (the human ceiling)." />
        <CardBody><TailGap report={report} /></CardBody>
      </Card>

      <Card>
        <CardHeader title="Groups, worst first" description={`Flagged groups are significantly worse than the reference, ${report.reference.label} (one-sided tests, Benjamini–Hochberg at 5% FDR).`} />
        <CardBody className="p-0"><GroupTable report={report} browse={campaign.stratificationKey ? { path: `/campaigns/${encodeURIComponent(campaign.slug)}/items`, key: campaign.stratificationKey } : undefined} /></CardBody>
      </Card>

      <Card>
        <CardHeader title="Corrected vs naive" description="People rated the items the routing sent them (rare and unsure first). Counting those as a random sample misleads; the corrected estimates weight each rated item by 1/π." />
        <CardBody><CorrectedPanel report={report} /></CardBody>
      </Card>

      <Card>
        <CardHeader title="All agreement measures" description="Cohen's κ in three weightings, Spearman's ρ and the judge's bias against the consensus and against the plain mean of the human ratings, and the human–human α." />
        <CardBody className="p-0"><MeasuresTable report={report} /></CardBody>
      </Card>
      </>
      )}

      {report.allocation && (
        <>
          <Card>
            <div id="trust" />
            <CardHeader
              title="Where the judge can be trusted"
              description={`Per stratum, the lowest judge confidence from which the judge agrees with the human consensus at least ${Math.round(report.allocation.trust.target * 100)}% of the time, with probability at least ${Math.round((1 - report.allocation.trust.delta) * 100)}% (a fixed-sequence test from high confidence down, with an exact binomial bound). Items below it, or in strata where no threshold qualifies, should go to people: the escalate routing policy does that.`}
            />
            <CardBody className="p-0"><TrustTable section={report.allocation} /></CardBody>
          </Card>
          <Card>
            <CardHeader title="Failure yield" description="Judge errors found (the judge differs from the human consensus) per human label spent: which kind of sampling finds the judge's failures fastest." />
            <CardBody className="p-0"><YieldPanel section={report.allocation} /></CardBody>
          </Card>
          {report.allocation.rounds && (
            <Card>
              <CardHeader title="Rounds combined" description="Each round drew every item again with probabilities fixed before it; each round's inverse-probability estimate is unbiased given the rounds before, so their weighted sum is too, and its variance is the sum of the rounds' (weights: each round's expected draws)." />
              <CardBody className="p-0"><RoundsTable section={report.allocation} /></CardBody>
            </Card>
          )}
        </>
      )}

      <Card>
        <CardHeader title="Top disagreements" description="Items where the judge and a confident human consensus differ most, with rationales side by side." />
        <CardBody className="space-y-4">
          <DisagreementFilters report={report} group={group} bucket={bucket} basePath={basePath} keep={keep} />
          <DisagreementList rows={disagreements.rows} total={disagreements.total} page={page} pageSize={PAGE_SIZE} basePath={basePath} params={filterParams} itemsPath={`/campaigns/${encodeURIComponent(campaign.slug)}/items`} />
        </CardBody>
      </Card>

      <Card>
        <div id="counted" />
        <CardHeader title="What this report counted" description="The sampling design it used, how consensus was formed, and every judgment it set aside, with the reason." />
        <CardBody><RecordPanel report={report} /></CardBody>
      </Card>

      {report.notes.length > 0 && (
        <ul className="list-disc space-y-1 pl-5 text-xs text-slate-500">
          {report.notes.map((n) => <li key={n}>{n}</li>)}
        </ul>
      )}
      <Glossary />
      <p className="text-xs text-slate-500">
        Computed <FormattedDate value={report.computedAt} /> · α {report.alphaLevel} · bootstrap {report.bootstrap.resamples.toLocaleString("en")} resamples, seed {report.bootstrap.seed} ·
        JSON: <code>/api/v1/campaigns/{campaign.id}/report</code>
      </p>
      <FreshnessLine freshness={freshness} />
    </div>
  );
}
