/**
 * The budget planner: how many human labels a stratum needs for its agreement (and bias) interval to reach a
 * target half-width, under each allocation policy. A forecast from the error model, not a guarantee: it assumes
 * the predicted disagreement q_i is right on average and that labels arrive for the items drawn.
 */
import { Z_95, zForLevel } from "@/lib/stats";
import { AllocationInputError } from "./errors";

export type PlanPolicy = "rules" | "uniform" | "active";

const zFor = (level: number): number => (level === 0.95 ? Z_95 : zForLevel(level));

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new AllocationInputError("level", `level ${level} is not in (0, 1)`);
}

/**
 * The smallest expected label count that brings a Horvitz–Thompson mean over N items to a target half-width.
 * Items are drawn with π_i(λ) = min(1, max(floor, λ·shape_i)) (floor default 0); the projected half-width is
 * z·√((1/N²)·Σ_i (1 − π_i)/π_i·variance_i), the Poisson-sampling variance with variance_i the item's expected
 * squared deviation from the estimand. Both Σπ and the half-width are monotone in λ, so bisection on λ finds the
 * smallest Σπ that reaches halfWidth; `labels` is that Σπ rounded up to a whole label (`expectedLabels` unrounded).
 * A census (every π = 1) always reaches 0, so labels ≤ N; when only a census reaches it (e.g. items with shape 0
 * and floor 0 keep π = 0), labels = N.
 */
export function labelsNeeded(input: {
  variance: readonly number[];
  shape: readonly number[];
  floor?: number;
  halfWidth: number;
  level?: number;
}): { labels: number; halfWidthAtCensus: 0; expectedLabels: number } {
  const { variance, shape, halfWidth } = input;
  const floor = input.floor ?? 0;
  const level = input.level ?? 0.95;
  checkLevel(level);
  if (variance.length !== shape.length) {
    throw new AllocationInputError("shape", `labelsNeeded: ${variance.length} variances but ${shape.length} shapes`);
  }
  if (!(Number.isFinite(halfWidth) && halfWidth > 0)) throw new AllocationInputError("halfWidth", `labelsNeeded: half-width ${halfWidth} must be a finite number > 0`);
  if (!(floor >= 0 && floor <= 1)) throw new AllocationInputError("floor", `labelsNeeded: floor ${floor} is not in [0, 1]`);
  variance.forEach((v, i) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new AllocationInputError("variance", `labelsNeeded: variance ${v} at ${i} must be a finite number ≥ 0`);
  });
  shape.forEach((s, i) => {
    if (!(Number.isFinite(s) && s >= 0)) throw new AllocationInputError("shape", `labelsNeeded: shape ${s} at ${i} must be a finite number ≥ 0`);
  });
  const n = variance.length;
  if (n === 0) return { labels: 0, halfWidthAtCensus: 0, expectedLabels: 0 };
  const z = zFor(level);
  // Compare variance sums rather than half-widths: Σ(1 − π)/π·v ≤ (halfWidth·N/z)².
  const limit = ((halfWidth * n) / z) ** 2;
  // Shapes rescaled to a maximum of 1 (π depends on λ·shape only, so this changes λ's units, nothing else).
  let sMax = 0;
  for (const s of shape) sMax = Math.max(sMax, s);
  const shp = sMax > 0 ? shape.map((s) => s / sMax) : shape;
  const at = (lambda: number): { sum: number; v: number } => {
    let sum = 0;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const p = Math.min(1, Math.max(floor, lambda * shp[i]!));
      sum += p;
      const vi = variance[i]!;
      if (vi > 0 && p < 1) v += p > 0 ? ((1 - p) / p) * vi : Infinity;
    }
    return { sum, v };
  };
  const done = (expected: number) => ({ labels: Math.max(0, Math.min(n, Math.ceil(expected - 1e-9))), halfWidthAtCensus: 0 as const, expectedLabels: expected });
  const start = at(0);
  if (start.v <= limit) return done(start.sum);
  let sMin = Infinity;
  for (const s of shp) if (s > 0) sMin = Math.min(sMin, s);
  if (sMin === Infinity) return done(n);
  // At λ = 1 the largest shape is at 1; at λ = 1/sMin every positive one is.
  const lambdaAll = Math.min(1 / sMin, 1e300);
  if (at(lambdaAll).v > limit) return done(n);
  let lo = 0;
  let hi = 1;
  // Grow the bracket geometrically (shapes may span many orders of magnitude), then bisect; geometric midpoints
  // while the bracket spans more than a factor 4.
  while (hi < lambdaAll && at(hi).v > limit) {
    lo = hi;
    hi = Math.min(lambdaAll, hi * 16);
  }
  for (let iter = 0; iter < 400 && hi - lo > 1e-13 * hi; iter++) {
    const mid = lo > 0 && hi / lo > 4 ? Math.sqrt(lo) * Math.sqrt(hi) : lo + 0.5 * (hi - lo);
    if (at(mid).v <= limit) hi = mid;
    else lo = mid;
  }
  return done(at(hi).sum);
}

export type PlanItem = { stratum: string; q: number; targeted: boolean; urgency: number; controlRate: number };
export type PlanRow = {
  stratum: string;
  items: number;
  labelled: number;
  agreement: number | null;
  biasSd: number | null;
  needed: Record<PlanPolicy, { agreement: number; bias: number | null }>;
};

/**
 * Labels each stratum needs, per policy, for its agreement interval to reach ±halfWidth (and its bias interval
 * ±biasHalfWidth, default halfWidth, when the stratum's bias SD is known). Counted within the stratum: the labels
 * the stratum's own items must receive, as if the policy's design were run on the stratum alone (the total a
 * campaign needs for several strata at once is at most the sum). Totals, not increments: subtract `labelled`
 * for what is still to do.
 *
 * Per item, the expected squared deviation of its agreement indicator from the stratum's agreement θ:
 * v_i = q_i(1 − q_i) + (1 − q_i − θ)², with θ the stratum's measured agreement (1 − mean q when it has no labels
 * yet); for the bias, biasSd² for every item. Shapes (labelsNeeded): rules → targeted ? 1 + urgency : controlRate,
 * the current rules' budgeted design (π ∝ priority, lib/routing/route-items.ts budgetedPis); uniform → 1;
 * active → √q_i with floor piMin (activePis).
 */
export function planStrata(
  items: readonly PlanItem[],
  stats: ReadonlyMap<string, { labelled: number; agreement: number | null; biasSd: number | null }>,
  opts: { halfWidth: number; biasHalfWidth?: number; level?: number; piMin: number },
): PlanRow[] {
  const { halfWidth, piMin } = opts;
  const biasHalfWidth = opts.biasHalfWidth ?? halfWidth;
  const level = opts.level ?? 0.95;
  checkLevel(level);
  if (!(Number.isFinite(halfWidth) && halfWidth > 0)) throw new AllocationInputError("halfWidth", `planStrata: half-width ${halfWidth} must be a finite number > 0`);
  if (!(Number.isFinite(biasHalfWidth) && biasHalfWidth > 0)) {
    throw new AllocationInputError("biasHalfWidth", `planStrata: bias half-width ${biasHalfWidth} must be a finite number > 0`);
  }
  if (!(Number.isFinite(piMin) && piMin > 0 && piMin <= 1)) throw new AllocationInputError("piMin", `planStrata: π_min ${piMin} must be in (0, 1]`);
  const byStratum = new Map<string, PlanItem[]>();
  items.forEach((it, i) => {
    if (!(it.q >= 0 && it.q <= 1)) throw new AllocationInputError("q", `planStrata: q ${it.q} at ${i} is not in [0, 1]`);
    if (!(Number.isFinite(it.urgency) && it.urgency >= 0)) throw new AllocationInputError("urgency", `planStrata: urgency ${it.urgency} at ${i} must be ≥ 0`);
    if (!(it.controlRate > 0 && it.controlRate <= 1)) throw new AllocationInputError("controlRate", `planStrata: control rate ${it.controlRate} at ${i} is not in (0, 1]`);
    const list = byStratum.get(it.stratum);
    if (list) list.push(it);
    else byStratum.set(it.stratum, [it]);
  });

  const rows: PlanRow[] = [];
  for (const [stratum, list] of byStratum) {
    const s = stats.get(stratum);
    const agreement = s?.agreement ?? null;
    const biasSd = s?.biasSd ?? null;
    const theta = agreement ?? 1 - list.reduce((a, it) => a + it.q, 0) / list.length;
    const vAgree = list.map((it) => it.q * (1 - it.q) + (1 - it.q - theta) ** 2);
    const vBias = biasSd === null ? null : list.map(() => biasSd * biasSd);
    const shapes: Record<PlanPolicy, { shape: number[]; floor: number }> = {
      rules: { shape: list.map((it) => (it.targeted ? 1 + it.urgency : it.controlRate)), floor: 0 },
      uniform: { shape: list.map(() => 1), floor: 0 },
      active: { shape: list.map((it) => Math.sqrt(it.q)), floor: piMin },
    };
    const needed = {} as Record<PlanPolicy, { agreement: number; bias: number | null }>;
    for (const policy of ["rules", "uniform", "active"] as const) {
      const { shape, floor } = shapes[policy];
      needed[policy] = {
        agreement: labelsNeeded({ variance: vAgree, shape, floor, halfWidth, level }).labels,
        bias: vBias === null ? null : labelsNeeded({ variance: vBias, shape, floor, halfWidth: biasHalfWidth, level }).labels,
      };
    }
    rows.push({ stratum, items: list.length, labelled: s?.labelled ?? 0, agreement, biasSd, needed });
  }
  return rows;
}
