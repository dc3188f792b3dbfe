import type { Metadata } from "next";
import Link from "next/link";
import { deny } from "@/components/auth/deny";
import { PlanChart, PlanTable } from "@/components/reports/plan-view";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getDb } from "@/db";
import { getCurrentUser } from "@/lib/auth/session";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";
import { planCampaign, planQuerySchema } from "@/lib/report/plan";

export const metadata: Metadata = { title: "Budget planner" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function PlanPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Search> }) {
  const { slug } = await params;
  const search = await searchParams;
  const user = await getCurrentUser();
  let campaign;
  try {
    ({ campaign } = await loadCampaign(user, slug, "report:read"));
  } catch (e) {
    if (e instanceof AppError) return deny(e);
    throw e;
  }
  const parsed = planQuerySchema.safeParse({ halfWidth: one(search.halfWidth), biasHalfWidth: one(search.biasHalfWidth) });
  const paramError = parsed.success ? null : (parsed.error.issues[0]?.message ?? "invalid settings");
  const query = parsed.success ? parsed.data : { halfWidth: 0.05, biasHalfWidth: 0.1 };
  const plan = await planCampaign(await getDb(), campaign, query);
  const base = `/campaigns/${encodeURIComponent(campaign.slug)}`;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <p className="text-sm text-slate-500">
            <Link href={base} className="hover:underline">{campaign.name}</Link>
          </p>
          <h1 className="text-2xl font-bold tracking-tight text-slate-900">Budget planner</h1>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">
            How many items people need to rate in each tail bucket and group before the report&apos;s 95% interval on judge agreement is at most ±
            {Math.round(query.halfWidth * 100)} points (and on judge bias ±{query.biasHalfWidth}), under the current routing rules, uniform sampling and active allocation.
            Based on the {plan.labelled.toLocaleString("en")} items rated so far out of {plan.items.toLocaleString("en")}.
          </p>
        </div>
        <form method="get" action={`${base}/plan`} className="flex flex-wrap items-end gap-2 text-sm" aria-label="Planner settings">
          <label className="font-medium text-slate-800">
            Agreement ± (0–0.5)
            <input name="halfWidth" type="number" step="0.01" min="0.01" max="0.5" defaultValue={one(search.halfWidth) ?? query.halfWidth} className="mt-1 block w-28 rounded-md border-0 px-2 py-1.5 ring-1 ring-inset ring-slate-300" />
          </label>
          <label className="font-medium text-slate-800">
            Bias ± (scale points)
            <input name="biasHalfWidth" type="number" step="0.01" min="0.01" defaultValue={one(search.biasHalfWidth) ?? query.biasHalfWidth} className="mt-1 block w-28 rounded-md border-0 px-2 py-1.5 ring-1 ring-inset ring-slate-300" />
          </label>
          <button type="submit" className="rounded-md px-3 py-1.5 font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50">Plan</button>
        </form>
      </div>
      {paramError && <p role="alert" className="rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-800">Settings ignored: {paramError}. Showing ±0.05 and ±0.1.</p>}
      {plan.runId === null ? (
        <p className="rounded-md bg-slate-50 px-4 py-6 text-center text-sm text-slate-600">This campaign has not been routed yet: import items and route them, then plan.</p>
      ) : (
        <>
          <Card>
            <CardHeader title="Labels needed per tail bucket" description="Items to rate for the agreement target, per policy (bars) against the items rated so far (line)." />
            <CardBody><PlanChart rows={plan.buckets} /></CardBody>
          </Card>
          <Card>
            <CardHeader title="By tail bucket" />
            <CardBody className="p-0"><PlanTable rows={plan.buckets} first="Tail bucket" /></CardBody>
          </Card>
          <Card>
            <CardHeader title="By group" />
            <CardBody className="p-0"><PlanTable rows={plan.groups} first="Group" /></CardBody>
          </Card>
          <Card>
            <CardHeader title="Assumptions" />
            <CardBody>
              <ul className="list-disc space-y-1 pl-5 text-sm text-slate-600">
                {plan.assumptions.map((a) => <li key={a}>{a}</li>)}
                <li>π_min for active allocation: {plan.piMin}. Error model: {plan.errorModel?.kind === "logistic" ? `logistic, fitted on ${plan.errorModel.n} rated items (${plan.errorModel.errors} judge errors)` : `overall rate, ${plan.errorModel?.n ?? 0} rated items`}.</li>
              </ul>
              <p className="mt-3 text-xs text-slate-500">JSON: <code>/api/v1/campaigns/{campaign.id}/plan?halfWidth={query.halfWidth}&amp;biasHalfWidth={query.biasHalfWidth}</code></p>
            </CardBody>
          </Card>
        </>
      )}
    </div>
  );
}
