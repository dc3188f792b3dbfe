/**
 * Assemble the report from the labelled rows and the per-cell population counts (both from SQL). Pure:
 * the same inputs always give the same report, intervals included.
 */
import { benjaminiHochberg, normalCdf } from "@/lib/stats";
import { rubricValues, type Rubric } from "@/lib/validation/campaign";
import { bucketBounds, bucketIndex, bucketLabel } from "./params";
import { computeStratum, type Population, type StratumContext } from "./stratum";
import type { Disagreement, Report, ReportParams, StratumReport } from "./types";
import { buildUnits, cellKey, numericScale, type LabelledRow, type Unit } from "./units";

export type CellRow = {
  group: string | null;
  bucket: number | null;
  reason: string | null;
  items: number;
  routed: number;
  fullyJudged: number;
};

export const BOOTSTRAP_RESAMPLES = 1000;
export const BOOTSTRAP_SEED = 20_261_127;
export const DISAGREEMENTS_PER_CELL = 200;
export const FDR_Q = 0.05;
export const NO_GROUP = "(none)";

export function strataContext(rubric: Rubric, params: ReportParams): StratumContext {
  const numeric = numericScale(rubric);
  const likert = rubric.type === "likert";
  return {
    scale: likert ? numeric! : rubricValues(rubric).map((_, i) => i),
    numeric,
    alphaLevel: likert ? "interval" : "nominal",
    kappaWeights: likert ? "quadratic" : "unweighted",
    likert,
    minN: params.minN,
    resamples: BOOTSTRAP_RESAMPLES,
    seed: BOOTSTRAP_SEED,
  };
}

const sumPopulation = (cells: readonly CellRow[]): Population =>
  cells.reduce((p, c) => ({ items: p.items + c.items, routed: p.routed + c.routed, fullyJudged: p.fullyJudged + c.fullyJudged }), {
    items: 0,
    routed: 0,
    fullyJudged: 0,
  });

/**
 * One-sided tests that judge agreement in each stratum is below the reference's, Benjamini–Hochberg adjusted
 * over the family (buckets, or groups). z = (p̂_s − p̂_ref)/√(se_s² + se_ref²), se from each 95% interval.
 */
export function flagWorse(strata: StratumReport[], reference: StratumReport | undefined, q = FDR_Q): StratumReport[] {
  const ref = reference?.judgeAgreement;
  if (!reference || !ref) return strata;
  const se = (iv: { lower: number; upper: number }) => (iv.upper - iv.lower) / (2 * 1.959963984540054);
  const tested = strata.map((s) => {
    const a = s.judgeAgreement;
    if (s === reference || !a) return Number.NaN;
    const denom = Math.sqrt(se(a) ** 2 + se(ref) ** 2);
    if (!(denom > 0)) return a.estimate < ref.estimate ? 0 : 1;
    return normalCdf((a.estimate - ref.estimate) / denom);
  });
  const bh = benjaminiHochberg(tested, q);
  return strata.map((s, i) =>
    Number.isNaN(tested[i]!) ? s : { ...s, worse: { p: tested[i]!, q: bh.adjusted[i]!, flagged: bh.rejected[i]! && s.judgeAgreement!.estimate < ref.estimate } },
  );
}

export function topDisagreements(units: readonly Unit[], rubric: Rubric, labels: (b: number | null) => string | null, perCell = DISAGREEMENTS_PER_CELL): Disagreement[] {
  const scale = rubricValues(rubric);
  const numeric = numericScale(rubric);
  const rows: Disagreement[] = [];
  for (const u of units) {
    // A confident consensus: at least two ratings and a strict majority behind it.
    if (u.judge === null || u.judge === u.consensus || u.codes.length < 2 || u.support <= 0.5) continue;
    const gap = numeric ? Math.abs(numeric[u.judge]! - u.consensusValue!) : 1;
    if (gap === 0) continue;
    rows.push({
      itemId: u.itemId,
      externalId: u.externalId,
      group: u.group,
      bucket: labels(u.bucket),
      judge: scale[u.judge]!,
      consensus: numeric && rubric.type === "likert" ? u.consensusValue! : scale[u.consensus]!,
      gap,
      support: u.support,
      ratings: u.codes.length,
    });
  }
  rows.sort((a, b) => b.gap - a.gap || b.support - a.support || b.ratings - a.ratings || a.itemId - b.itemId);
  // Keep the top `perCell` of every (group, bucket) cell: then any group/bucket filter sees its true top list.
  const kept = new Map<string, number>();
  return rows.filter((r) => {
    const key = JSON.stringify([r.group, r.bucket]);
    const n = kept.get(key) ?? 0;
    kept.set(key, n + 1);
    return n < perCell;
  });
}

function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

export function assembleReport(input: {
  campaignId: string;
  rubric: Rubric;
  params: ReportParams;
  watermark: string;
  computedAt: Date;
  /** Population per cell (items, routed); "fully judged" is derived here from the labelled rows. */
  population: readonly Omit<CellRow, "fullyJudged">[];
  /** The campaign's k. */
  k: number;
  rows: readonly LabelledRow[];
}): Report {
  const { rubric, params } = input;
  // "Fully judged" as the report counts judgments: k or more that count (an excluded member's do not), which the
  // labelled rows already hold; items.judgment_count is the assignment's view and includes them.
  const full = new Map<string, number>();
  for (const r of input.rows) {
    if (r.values.length < input.k) continue;
    const key = cellKey(r.group, bucketIndex(r.tail, params.cuts), r.reason);
    full.set(key, (full.get(key) ?? 0) + 1);
  }
  const cells: CellRow[] = input.population.map((c) => ({ ...c, fullyJudged: full.get(cellKey(c.group, c.bucket, c.reason)) ?? 0 }));
  const ctx = strataContext(rubric, params);
  const routedPerCell = new Map<string, number>();
  for (const c of cells) routedPerCell.set(cellKey(c.group, c.bucket, c.reason), (routedPerCell.get(cellKey(c.group, c.bucket, c.reason)) ?? 0) + c.routed);
  const { units, offScale } = buildUnits(input.rows, rubric, params.cuts, routedPerCell);

  const bounds = bucketBounds(params.cuts);
  const labelOf = (b: number | null) => (b === null ? null : bucketLabel(bounds[b]!));
  const overall = computeStratum("overall", "all", "All items", null, units, sumPopulation(cells), ctx);

  const unitsByBucket = groupBy(units, (u) => u.bucket);
  const cellsByBucket = groupBy(cells, (c) => c.bucket);
  let buckets: StratumReport[] = [];
  bounds.forEach((range, b) => {
    const pop = sumPopulation(cellsByBucket.get(b) ?? []);
    if (pop.items === 0) return;
    const label = bucketLabel(range);
    buckets.push(computeStratum("bucket", label, `Tail ${label}`, range, unitsByBucket.get(b) ?? [], pop, ctx));
  });

  const unitsByGroup = groupBy(units, (u) => u.group);
  const cellsByGroup = groupBy(cells, (c) => c.group);
  let groups = [...cellsByGroup.entries()].map(([g, groupCells]) => {
    const key = g ?? NO_GROUP;
    return computeStratum("group", key, key, null, unitsByGroup.get(g) ?? [], sumPopulation(groupCells), ctx);
  });
  groups.sort((a, b) => b.counts.items - a.counts.items || a.key.localeCompare(b.key));

  // References: the bulk. The lowest tail bucket and the most common group that have a judge agreement.
  const refBucket = buckets.find((s) => s.judgeAgreement !== null);
  const refGroup = groups.find((s) => s.judgeAgreement !== null);
  buckets = flagWorse(buckets, refBucket);
  groups = flagWorse(groups, refGroup);

  const notes: string[] = [];
  if (offScale > 0) notes.push(`${offScale} human ratings off the rubric's scale were left out.`);
  const untailed = cells.filter((c) => c.bucket === null).reduce((s, c) => s + c.items, 0);
  if (untailed > 0) notes.push(`${untailed} items have no tail score and appear in no tail bucket.`);
  if (ctx.numeric === null) notes.push("Judge bias is not defined on a nominal rubric.");

  return {
    version: 1,
    campaignId: input.campaignId,
    computedAt: input.computedAt.toISOString(),
    watermark: input.watermark,
    params,
    rubric: rubric.type,
    alphaLevel: ctx.alphaLevel === "interval" ? "interval" : ctx.alphaLevel === "ordinal" ? "ordinal" : "nominal",
    kappaWeights: ctx.kappaWeights,
    bootstrap: { resamples: BOOTSTRAP_RESAMPLES, seed: BOOTSTRAP_SEED, method: "Poisson bootstrap over labelled items, percentile 95% interval" },
    reference: { bucket: refBucket?.key ?? null, group: refGroup?.key ?? null },
    overall,
    buckets,
    groups,
    disagreements: topDisagreements(units, rubric, labelOf),
    notes,
  };
}
