/**
 * Assemble the report from the labelled rows and the per-cell population counts (both from SQL). Pure:
 * the same inputs always give the same report, intervals included.
 */
import { benjaminiHochberg, normalCdf } from "@/lib/stats";
import { rubricValues, type Rubric } from "@/lib/validation/campaign";
import { adaptiveState } from "@/lib/assign/adaptive-k";
import { allocationSection, type AllocationSection, type ConfidenceProfileRow, type RoundRun, type StratumRef } from "./allocation";
import { bucketBounds, bucketIndex, bucketLabel } from "./params";
import { computeStratum, type Population, type StratumContext } from "./stratum";
import type { Accounting, ConsensusMethod, Disagreement, Report, ReportParams, SetAsideReason, StratumReport } from "./types";
import { buildUnits, cellKey, effectiveConsensus, numericScale, sampledPerCell, type LabelledRow, type Unit } from "./units";

export type CellRow = {
  group: string | null;
  bucket: number | null;
  reason: string | null;
  items: number;
  judged: number;
  routed: number;
  sampled: number;
  fullyJudged: number;
};

/** Bump when a formula changes: every cached and exported report names the estimators it used. */
export const ESTIMATOR_VERSION = "2026-12-02";

/** Labelled items a trust certificate needs above a threshold before it is tested. */
export const TRUST_MIN_N = 30;

export const BOOTSTRAP_RESAMPLES = 1000;
export const BOOTSTRAP_SEED = 20_261_127;
export const DISAGREEMENTS_PER_CELL = 200;
export const FDR_Q = 0.05;
export const NO_GROUP = "(none)";

export function strataContext(rubric: Rubric, params: Pick<ReportParams, "minN">, resamples = BOOTSTRAP_RESAMPLES): StratumContext {
  const numeric = numericScale(rubric);
  const likert = rubric.type === "likert";
  return {
    scale: likert ? numeric! : rubricValues(rubric).map((_, i) => i),
    numeric,
    alphaLevel: likert ? "interval" : "nominal",
    kappaWeights: likert ? "quadratic" : "unweighted",
    likert,
    minN: params.minN,
    resamples,
    seed: BOOTSTRAP_SEED,
  };
}

const sumPopulation = (cells: readonly CellRow[]): Population =>
  cells.reduce((p, c) => ({ items: p.items + c.items, judged: p.judged + c.judged, routed: p.routed + c.routed, sampled: p.sampled + c.sampled, fullyJudged: p.fullyJudged + c.fullyJudged }), {
    items: 0,
    judged: 0,
    routed: 0,
    sampled: 0,
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
    const gap = numeric ? Math.abs((u.judgeValue ?? numeric[u.judge]!) - u.consensusValue!) : 1;
    if (gap === 0) continue;
    rows.push({
      itemId: u.itemId,
      externalId: u.externalId,
      version: u.version,
      group: u.group,
      bucket: labels(u.bucket),
      judge: u.judgeValue !== null && rubric.type === "likert" ? u.judgeValue : scale[u.judge]!,
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

const SET_ASIDE: Record<SetAsideReason, string> = {
  outside_design: "on items outside the routing run's sample (not routed and no prior labels, or imported or changed after the run)",
  superseded: "made on an earlier version of an item that a re-import has since changed",
  excluded_rater: "by contributors a researcher excluded from reports",
  gold: "on gold items (quality checks on contributors, never part of an estimate)",
  off_scale: "with values off the rubric's scale",
};

export function assembleReport(input: {
  campaignId: string;
  rubric: Rubric;
  params: ReportParams;
  watermark: string;
  computedAt: Date;
  /** Population per cell of the design (items, sampled, routed); "fully judged" is derived here from the labelled rows. */
  population: readonly Omit<CellRow, "fullyJudged">[];
  /** The campaign's k (k_max under adaptive k). */
  k: number;
  /** Adaptive k: the rows' values are in arrival order; "fully judged" is the item's target, and human–human
   *  measures read the first k_min ratings. */
  adaptive?: { kMin: number; agreeDistance: number } | null;
  rows: readonly LabelledRow[];
  consensus?: ConsensusMethod | null;
  design?: Report["design"];
  /** Judgments per status (db/queries/report.ts reportAccounting); absent: counted from the rows alone. */
  accounting?: readonly { status: string; items: number; judgments: number }[];
  /** Bootstrap resamples for α, κ and ρ (the coverage simulation lowers it; reports use the default). */
  resamples?: number;
  /** Trust certificates, failure yield and rounds (lib/report/allocation.ts); absent: no allocation section. */
  allocation?: {
    profile: readonly ConfidenceProfileRow[];
    target: number;
    delta: number;
    rounds?: { runs: RoundRun[]; items: { itemId: number; bucket: number | null; group: string | null }[]; draws: { pi: Float64Array; drawn: Uint8Array }[] };
  };
}): Report {
  const { rubric, params } = input;
  // Item order, not the database's: the bootstrap draws one Poisson count per unit type in order of first
  // appearance from one seeded stream, so the intervals of α, κ and ρ depend on the order of the rows. Sorted,
  // the same data gives the same report on any plan, backend or physical row order, and an auditor reading the
  // design file (in item order) gets the same draws.
  const rows = [...input.rows].sort((a, b) => a.itemId - b.itemId);
  const consensus = effectiveConsensus(rubric, input.consensus);
  // "Fully judged" as the report counts judgments: k or more that count (an excluded member's do not), which the
  // labelled rows already hold; items.judgment_count is the assignment's view and includes them.
  const full = new Map<string, number>();
  const adaptive = input.adaptive ?? null;
  for (const r of rows) {
    if (adaptive ? !adaptiveState({ k: input.k, kMin: adaptive.kMin, agreeDistance: adaptive.agreeDistance, rubric }, r.values).done : r.values.length < input.k) continue;
    const key = cellKey(r.group, bucketIndex(r.tail, params.cuts), r.reason);
    full.set(key, (full.get(key) ?? 0) + 1);
  }
  const cells: CellRow[] = input.population.map((c) => ({ ...c, fullyJudged: full.get(cellKey(c.group, c.bucket, c.reason)) ?? 0 }));
  const ctx = strataContext(rubric, params, input.resamples);
  const { units, offScale } = buildUnits(rows, rubric, params.cuts, sampledPerCell(cells), consensus, adaptive?.kMin);

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

  // The reference of every "worse than" test, both families: the bulk (the lowest tail bucket with a judge
  // agreement) unless the researcher picked a group. Comparing a group with the bulk bucket, which shares items
  // with it, treats the two estimates as independent: positively correlated estimates make that test conservative.
  const notes: string[] = [];
  const bulk = buckets.find((s) => s.judgeAgreement !== null);
  let reference: StratumReport | undefined = bulk;
  let referenceInfo: Report["reference"] = { kind: "bucket", key: bulk?.key ?? null, label: bulk ? `the bulk: tail bucket ${bulk.key}` : "the bulk tail bucket (not enough data)", bucket: bulk?.key ?? null, group: null };
  if (params.reference.kind === "group") {
    const chosen = params.reference.group;
    const g = groups.find((s) => s.key === chosen);
    if (g && g.judgeAgreement !== null) {
      reference = g;
      referenceInfo = { kind: "group", key: g.key, label: `group ${g.key} (chosen by the researcher)`, bucket: null, group: g.key };
    } else {
      notes.push(`The chosen reference group "${chosen}" has ${g ? "too little data" : "no items"}; the bulk tail bucket is the reference instead.`);
    }
  }
  buckets = flagWorse(buckets, reference);
  groups = flagWorse(groups, reference);

  let allocation: AllocationSection | undefined;
  if (input.allocation) {
    const refs: StratumRef[] = [{ kind: "overall", key: "all", label: "All items" }];
    bounds.forEach((range, b) => {
      if ((cellsByBucket.get(b) ?? []).some((c) => c.items > 0)) refs.push({ kind: "bucket", key: bucketLabel(range), label: `Tail ${bucketLabel(range)}`, bucket: b });
    });
    for (const g of groups) refs.push({ kind: "group", key: g.key, label: g.label, group: g.key === NO_GROUP && !cellsByGroup.has(NO_GROUP) ? null : g.key });
    allocation = allocationSection({
      strata: refs,
      units,
      reasonOf: new Map(rows.map((r) => [r.itemId, r.reason])),
      confidenceOf: new Map(rows.map((r) => [r.itemId, r.confidence ?? null])),
      profile: input.allocation.profile,
      target: input.allocation.target,
      delta: input.allocation.delta,
      minN: TRUST_MIN_N,
      ...(input.allocation.rounds ? { rounds: input.allocation.rounds } : {}),
    });
  }

  if (adaptive) {
    notes.push(
      `Adaptive k (${adaptive.kMin}–${input.k} ratings): human–human agreement and α use each item's first ${adaptive.kMin} ratings, which are collected whatever their values, so stopping early on agreement cannot inflate them; the consensus, the judge's agreement and bias use every rating.`,
    );
  }
  if (offScale > 0) notes.push(`${offScale} human ratings off the rubric's scale were left out.`);
  const untailed = cells.filter((c) => c.bucket === null).reduce((s, c) => s + c.items, 0);
  if (untailed > 0) notes.push(`${untailed} items have no tail score and appear in no tail bucket.`);
  if (ctx.numeric === null) notes.push("Judge bias is not defined on a nominal rubric.");
  if (input.consensus && input.consensus !== consensus) notes.push(`The campaign's consensus "${input.consensus}" does not fit a ${rubric.type} rubric; "${consensus}" was used.`);
  if (input.design === null) notes.push("The campaign has not been routed yet: no item is in a sample, so nothing can be estimated.");

  return {
    version: 2,
    estimatorVersion: ESTIMATOR_VERSION,
    campaignId: input.campaignId,
    computedAt: input.computedAt.toISOString(),
    watermark: input.watermark,
    params,
    design: input.design ?? null,
    rubric: rubric.type,
    consensus,
    alphaLevel: ctx.alphaLevel === "interval" ? "interval" : ctx.alphaLevel === "ordinal" ? "ordinal" : "nominal",
    kappaWeights: ctx.kappaWeights,
    bootstrap: { resamples: ctx.resamples, seed: BOOTSTRAP_SEED, method: "Poisson bootstrap over labelled items, percentile 95% interval" },
    reference: referenceInfo,
    accounting: accountingOf(rows, input.accounting, offScale),
    overall,
    buckets,
    groups,
    disagreements: topDisagreements(units, rubric, labelOf),
    ...(allocation ? { allocation } : {}),
    notes,
  };
}

/** The report's account of every judgment: what it counted and, by reason, what it set aside. */
function accountingOf(rows: readonly LabelledRow[], byStatus: readonly { status: string; items: number; judgments: number }[] | undefined, offScale: number): Accounting {
  const counted = byStatus?.find((r) => r.status === "counted") ?? { items: rows.length, judgments: rows.reduce((n, r) => n + r.values.length, 0) };
  const setAside: Accounting["setAside"] = [];
  for (const reason of ["outside_design", "superseded", "excluded_rater", "gold"] as const) {
    const r = byStatus?.find((x) => x.status === reason);
    if (r && r.judgments > 0) setAside.push({ reason, items: r.items, judgments: r.judgments, explanation: SET_ASIDE[reason] });
  }
  // Off-scale ratings are read (they are on counted items) but leave every figure: listed, not subtracted.
  if (offScale > 0) setAside.push({ reason: "off_scale", items: 0, judgments: offScale, explanation: SET_ASIDE.off_scale });
  return { counted: { items: counted.items, judgments: counted.judgments }, setAside };
}
