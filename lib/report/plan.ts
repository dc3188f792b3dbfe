/**
 * The budget planner (docs/methodology.md, "Active allocation, rounds and trust certificates"): from the labels of
 * the latest routing run's sample, how many human labels each tail bucket and group needs to reach a target
 * interval half-width on judge agreement and on judge bias, under the current rules, uniform sampling, and active
 * allocation. Reads the run's inclusion records and the counted judgments; the arithmetic is
 * lib/allocate/planner.ts.
 */
import { z } from "zod";
import type { Db } from "@/db";
import { designRun, reportCells, reportJudgments } from "@/db/queries/report";
import { rowsOf } from "@/db/client";
import { sql } from "drizzle-orm";
import type { Campaign } from "@/db/schema";
import { fitErrorModel, predictError, type ErrorModelFit } from "@/lib/allocate/error-model";
import { planStrata, type PlanItem, type PlanRow } from "@/lib/allocate/planner";
import { DEFAULT_PI_MIN } from "@/lib/validation/campaign";
import { NO_GROUP } from "./assemble";
import { bucketBounds, bucketIndex, bucketLabel, DECILE_CUTS } from "./params";
import { buildUnits, effectiveConsensus, sampledPerCell, type Unit } from "./units";

export const planQuerySchema = z.object({
  halfWidth: z.coerce
    .number({ message: "halfWidth (agreement ±) must be a number" })
    .gt(0, { message: "halfWidth (agreement ±) must be greater than 0" })
    .max(0.5, { message: "halfWidth (agreement ±) must be at most 0.5" })
    .optional()
    .default(0.05),
  biasHalfWidth: z.coerce
    .number({ message: "biasHalfWidth (bias ±) must be a number" })
    .gt(0, { message: "biasHalfWidth (bias ±) must be greater than 0" })
    .max(10, { message: "biasHalfWidth (bias ±) must be at most 10" })
    .optional()
    .default(0.1),
});

export type CampaignPlan = {
  halfWidth: number;
  biasHalfWidth: number;
  level: number;
  piMin: number;
  runId: string | null;
  items: number;
  labelled: number;
  errorModel: ErrorModelFit | null;
  buckets: PlanRow[];
  groups: PlanRow[];
  assumptions: string[];
};

const ASSUMPTIONS = [
  "Each policy draws items independently (Poisson sampling) with probabilities proportional to its shape, scaled until the stratum's 95% interval reaches the half-width; the figure is the expected number of items to label in that stratum (each item then gets k ratings).",
  "The current rules: π ∝ 1 + urgency for items the rules target (low confidence or tail), ∝ the control rate for the rest — the rules' budgeted design. Uniform: every item alike. Active: π ∝ √(predicted judge error), never below π_min.",
  "Predicted judge error comes from a ridge-penalised logistic model of judge ≠ consensus on judge confidence, tail score and group, fitted on the items rated so far; with fewer than 20 rated items it is the overall rate.",
  "Variance of agreement per item: q(1 − q) + (1 − q − θ)², with q the predicted error and θ the stratum's current corrected agreement; of bias: the stratum's current spread of judge − consensus. Strata with no rated item use the model alone; their bias column is empty.",
  "Labels already collected are not subtracted: the figures are totals for the stratum. Rounds, non-response and the design effect of k ratings per item are not modelled.",
];

function weightedStats(units: readonly Unit[]): { labelled: number; agreement: number | null; biasSd: number | null } {
  let w = 0;
  let agree = 0;
  let bw = 0;
  let b1 = 0;
  let b2 = 0;
  for (const u of units) {
    if (u.judge === null) continue;
    w += u.w;
    if (u.judge === u.consensus) agree += u.w;
    if (u.judgeValue !== null && u.consensusValue !== null) {
      const d = u.judgeValue - u.consensusValue;
      bw += u.w;
      b1 += u.w * d;
      b2 += u.w * d * d;
    }
  }
  const mean = bw > 0 ? b1 / bw : 0;
  return {
    labelled: units.length,
    agreement: w > 0 ? agree / w : null,
    biasSd: bw > 0 ? Math.sqrt(Math.max(0, b2 / bw - mean * mean)) : null,
  };
}

export async function planCampaign(
  db: Db,
  campaign: Pick<Campaign, "id" | "rubric" | "consensus" | "routingPolicy">,
  opts: { halfWidth: number; biasHalfWidth: number },
): Promise<CampaignPlan> {
  const policy = campaign.routingPolicy;
  const piMin = policy.piMin ?? DEFAULT_PI_MIN;
  const base = { halfWidth: opts.halfWidth, biasHalfWidth: opts.biasHalfWidth, level: 0.95, piMin, assumptions: ASSUMPTIONS };
  const run = await designRun(db, campaign.id);
  if (!run) return { ...base, runId: null, items: 0, labelled: 0, errorModel: null, buckets: [], groups: [] };
  const consensus = effectiveConsensus(campaign.rubric, campaign.consensus ?? null);
  const [cells, { labelled: rows }, population] = await Promise.all([
    reportCells(db, campaign.id, run.id, DECILE_CUTS),
    reportJudgments(db, campaign.id, run.id, { raters: consensus === "dawid_skene" }),
    db.execute(sql`select tail, "group", confidence from inclusion_records where run_id = ${run.id}`),
  ]);
  const { units } = buildUnits(rows, campaign.rubric, DECILE_CUTS, sampledPerCell(cells), consensus);
  const confidenceOf = new Map(rows.map((r) => [r.itemId, r.confidence ?? null]));
  const tailOf = new Map(rows.map((r) => [r.itemId, r.tail]));
  const fit = fitErrorModel(
    units
      .filter((u) => u.judge !== null)
      .map((u) => ({ confidence: confidenceOf.get(u.itemId) ?? null, tail: tailOf.get(u.itemId) ?? null, group: u.group, error: u.judge !== u.consensus })),
  );
  const bounds = bucketBounds(DECILE_CUTS);
  const bucketKey = (b: number | null) => (b === null ? "no tail score" : bucketLabel(bounds[b]!));
  const groupKey = (g: string | null) => g ?? NO_GROUP;
  const byBucket: PlanItem[] = [];
  const byGroup: PlanItem[] = [];
  const pop = rowsOf<{ tail: number | null; group: string | null; confidence: number | null }>(population);
  for (const r of pop) {
    const tail = r.tail === null ? null : Number(r.tail);
    const confidence = r.confidence === null ? null : Number(r.confidence);
    const q = predictError(fit, { confidence, tail, group: r.group });
    const targeted = (tail !== null && tail >= policy.tailThreshold) || confidence === null || confidence < policy.confidenceThreshold;
    const urgency = Math.max(tail ?? 0, 1 - (confidence ?? 0));
    const base = { q, targeted, urgency, controlRate: policy.controlRate };
    byBucket.push({ ...base, stratum: bucketKey(bucketIndex(tail, DECILE_CUTS)) });
    byGroup.push({ ...base, stratum: groupKey(r.group) });
  }
  const statsBy = (key: (u: Unit) => string) => {
    const m = new Map<string, Unit[]>();
    for (const u of units) {
      const k = key(u);
      const list = m.get(k);
      if (list) list.push(u);
      else m.set(k, [u]);
    }
    return new Map([...m.entries()].map(([k, us]) => [k, weightedStats(us)]));
  };
  const planOpts = { halfWidth: opts.halfWidth, biasHalfWidth: opts.biasHalfWidth, level: 0.95, piMin };
  const bucketOrder = (a: PlanRow, b: PlanRow) => a.stratum.localeCompare(b.stratum);
  return {
    ...base,
    runId: run.id,
    items: pop.length,
    labelled: units.length,
    errorModel: fit,
    buckets: planStrata(byBucket, statsBy((u) => bucketKey(u.bucket)), planOpts).sort(bucketOrder),
    groups: planStrata(byGroup, statsBy((u) => groupKey(u.group)), planOpts).sort((a, b) => b.items - a.items || a.stratum.localeCompare(b.stratum)),
  };
}
