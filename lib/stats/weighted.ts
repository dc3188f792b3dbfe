/**
 * Estimators that correct for routing. Labelled items are a Poisson sample in which item i was
 * included with known probability π_i (π = 1 for routed tail / low-confidence items, π = p for the
 * random control sample), so population figures weight each labelled item by 1/π_i.
 * Reference: C.-E. Särndal, B. Swensson & J. Wretman, "Model Assisted Survey Sampling" (1992).
 */
import {
  InclusionProbabilityError,
  StatsInputError,
  assertFinite,
  assertInclusionProbabilities,
  assertNonEmpty,
  assertSameLength,
} from "./errors";
import { wilsonEffective, type Interval } from "./intervals";
import { Z_95, zForLevel } from "./normal";

export interface Estimate {
  estimate: number;
  variance: number;
  se: number;
  lower: number;
  upper: number;
  level: number;
}

function checkSample(what: string, y: readonly number[], pi: readonly number[]): void {
  assertSameLength(what, y, pi);
  assertFinite(`${what} y`, y);
  assertInclusionProbabilities(pi);
}

const zFor = (level: number): number => (level === 0.95 ? Z_95 : zForLevel(level));

function normalInterval(estimate: number, variance: number, level: number, clip?: [number, number]): Estimate {
  const se = Math.sqrt(variance);
  const z = zFor(level);
  let lower = estimate - z * se;
  let upper = estimate + z * se;
  if (clip) {
    lower = Math.max(clip[0], lower);
    upper = Math.min(clip[1], upper);
  }
  return { estimate, variance, se, lower, upper, level };
}

/** Horvitz–Thompson total Σ_s y_i/π_i over the labelled sample. */
export function horvitzThompsonTotal(y: readonly number[], pi: readonly number[]): number {
  checkSample("horvitzThompsonTotal", y, pi);
  let total = 0;
  for (let i = 0; i < y.length; i++) total += y[i]! / pi[i]!;
  return total;
}

/** Horvitz–Thompson mean (1/N) Σ_s y_i/π_i, where N is the known population size. */
export function horvitzThompsonMean(y: readonly number[], pi: readonly number[], populationSize: number): number {
  if (!(populationSize > 0)) throw new StatsInputError(`horvitzThompsonMean: population size ${populationSize} must be > 0`);
  return horvitzThompsonTotal(y, pi) / populationSize;
}

/** Hájek mean Σ_s (y_i/π_i) / Σ_s (1/π_i): a ratio estimator, stable when the sample size is random. */
export function hajekMean(y: readonly number[], pi: readonly number[]): number {
  checkSample("hajekMean", y, pi);
  assertNonEmpty("hajekMean", y);
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++) {
    num += y[i]! / pi[i]!;
    den += 1 / pi[i]!;
  }
  return num / den;
}

/**
 * Hájek mean with a Taylor-linearisation variance under Poisson sampling:
 * V̂ = (1/N̂²) Σ_s (1 − π_i)/π_i² · (y_i − μ̂)², N̂ = Σ_s 1/π_i (Särndal et al. 1992, §5.6).
 * Items with π = 1 add no variance; the interval is normal at `level` (default 0.95).
 */
export function hajekMeanWithVariance(
  y: readonly number[],
  pi: readonly number[],
  options: { level?: number } = {},
): Estimate {
  const mu = hajekMean(y, pi);
  let nHat = 0;
  let v = 0;
  for (let i = 0; i < y.length; i++) {
    const p = pi[i]!;
    nHat += 1 / p;
    v += ((1 - p) / (p * p)) * (y[i]! - mu) ** 2;
  }
  return normalInterval(mu, v / (nHat * nHat), options.level ?? 0.95);
}

/**
 * Hájek-weighted proportion (e.g. judge–human agreement rate) with its linearisation variance and Wilson's
 * interval at the Kish effective sample size of the weights 1/π. A normal interval on the linearisation
 * variance under-covers near 0 or 1 (the π < 1 items often all share one outcome, leaving almost no variance);
 * Wilson's does not. `variance` and `se` are the linearisation ones.
 */
export function hajekProportion(
  outcomes: readonly (boolean | number)[],
  pi: readonly number[],
  options: { level?: number } = {},
): Estimate {
  const y = outcomes.map((o, i) => {
    const v = typeof o === "boolean" ? (o ? 1 : 0) : o;
    if (v !== 0 && v !== 1) throw new StatsInputError(`hajekProportion: outcome at ${i} is not 0/1`);
    return v;
  });
  const e = hajekMeanWithVariance(y, pi, options);
  const { lower, upper } = wilsonEffective(e.estimate, kishEffectiveN(pi.map((p) => 1 / p)), zFor(e.level));
  return { ...e, lower, upper };
}

/** Kish effective sample size (Σw)²/Σw²: how many equally weighted items the weighted sample is worth. */
export function kishEffectiveN(weights: readonly number[]): number {
  let s = 0;
  let s2 = 0;
  for (const w of weights) {
    s += w;
    s2 += w * w;
  }
  return s2 === 0 ? 0 : (s * s) / s2;
}

/**
 * Weighted mean ȳ = Σ w y / Σ w with a normal interval, SE = √(v / n_Kish) where v = Σ w (y − ȳ)² / Σ w and
 * n_Kish = kishEffectiveN(w): unequal weights cost precision through the effective sample size. `clip` bounds
 * the interval (e.g. [0, 1] for a mean of shares).
 */
export function weightedMeanInterval(
  values: readonly number[],
  weights: readonly number[],
  options: { level?: number; clip?: [number, number] } = {},
): Estimate {
  assertSameLength("weightedMeanInterval", values, weights);
  assertNonEmpty("weightedMeanInterval", values);
  assertFinite("weightedMeanInterval values", values);
  assertFinite("weightedMeanInterval weights", weights);
  if (weights.some((w) => w < 0)) throw new StatsInputError("weightedMeanInterval: weights must be ≥ 0");
  const sw = weights.reduce((s, w) => s + w, 0);
  if (!(sw > 0)) throw new StatsInputError("weightedMeanInterval: weights sum to 0");
  const mean = values.reduce((s, y, i) => s + weights[i]! * y, 0) / sw;
  const v = values.reduce((s, y, i) => s + weights[i]! * (y - mean) ** 2, 0) / sw;
  return normalInterval(mean, v / kishEffectiveN(weights), options.level ?? 0.95, options.clip);
}

export interface PredictionPoweredInput {
  /** Judge score f_i for every item in the population (N items). */
  judge: readonly number[];
  /** Human value Y_i; read only where the item is labelled. */
  human: readonly (number | null)[];
  /** Inclusion probability π_i; must be in (0, 1] where the item is labelled. */
  pi: readonly (number | null)[];
  /** Which items were labelled (ξ_i). Defaults to `human[i] !== null`. */
  labelled?: readonly (boolean | number)[];
}

export interface PredictionPoweredEstimate extends Estimate {
  /** Design-based SE (Poisson sampling, f and Y fixed): the formula in design.md. */
  seDesign: number;
  /** Superpopulation SE sd(terms)/√N, terms f_i + ξ_i(Y_i − f_i)/π_i (Zrnic & Candès 2024). */
  seSuperpopulation: number;
  n: number;
  nLabelled: number;
}

/**
 * The sums every prediction-powered estimate here is built on, over labelled items with residual d and
 * inclusion probability π: Σ b and Σ b² of the inverse-probability terms b = d/π, and Σ (1 − π)/π² · d², the
 * Poisson-sampling design variance times N². Unchecked; callers validate.
 */
function ipwResidualSums(labelled: readonly { d: number; pi: number }[]): { sum: number; sumSq: number; design: number } {
  let sum = 0;
  let sumSq = 0;
  let design = 0;
  for (const { d, pi } of labelled) {
    const b = d / pi;
    sum += b;
    sumSq += b * b;
    design += ((1 - pi) / (pi * pi)) * d * d;
  }
  return { sum, sumSq, design };
}

/**
 * Prediction-powered mean of Y with inverse-probability weighting ("active inference",
 * T. Zrnic & E. Candès, 2024): μ̂ = (1/N) Σ_all f_i + (1/N) Σ_labelled (Y_i − f_i)/π_i.
 * Design variance (default): (1/N²) Σ_labelled (1 − π_i)/π_i² (Y_i − f_i)², the Poisson-sampling
 * variance of the difference estimator; it is the right one for the finite set of items imported.
 * `variance: "superpopulation"` instead uses var(terms, ddof 0)/N, treating items as i.i.d. draws.
 */
export function predictionPoweredMean(
  input: PredictionPoweredInput,
  options: { variance?: "design" | "superpopulation"; level?: number } = {},
): PredictionPoweredEstimate {
  const { judge, human, pi } = input;
  const N = judge.length;
  assertNonEmpty("predictionPoweredMean", judge);
  assertSameLength("predictionPoweredMean human", judge, human);
  assertSameLength("predictionPoweredMean pi", judge, pi);
  if (input.labelled) assertSameLength("predictionPoweredMean labelled", judge, input.labelled);
  assertFinite("predictionPoweredMean judge", judge);

  // Residuals Y − f of the labelled items, in item order; null for the others.
  const residual = new Array<{ d: number; pi: number } | null>(N).fill(null);
  const labelled: { d: number; pi: number }[] = [];
  let sumF = 0;
  for (let i = 0; i < N; i++) {
    const f = judge[i]!;
    sumF += f;
    const isLabelled = input.labelled ? Boolean(input.labelled[i]) : human[i] !== null;
    if (!isLabelled) continue;
    const y = human[i];
    const p = pi[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      throw new StatsInputError(`predictionPoweredMean: labelled item ${i} has no finite human value`);
    }
    if (p === null || p === undefined) throw new StatsInputError(`predictionPoweredMean: labelled item ${i} has no π`);
    if (!(Number.isFinite(p) && p > 0 && p <= 1)) throw new InclusionProbabilityError(i, p);
    labelled.push((residual[i] = { d: y - f, pi: p }));
  }
  const ipw = ipwResidualSums(labelled);
  const estimate = (sumF + ipw.sum) / N;
  let termVar = 0;
  for (let i = 0; i < N; i++) {
    const r = residual[i];
    termVar += (judge[i]! + (r ? r.d / r.pi : 0) - estimate) ** 2;
  }
  const seDesign = Math.sqrt(ipw.design) / N;
  const seSuperpopulation = Math.sqrt(termVar / N / N);
  const se = options.variance === "superpopulation" ? seSuperpopulation : seDesign;
  return {
    ...normalInterval(estimate, se * se, options.level ?? 0.95),
    seDesign,
    seSuperpopulation,
    n: N,
    nLabelled: labelled.length,
  };
}

/**
 * Judge bias mean(f − Y) over the population, corrected for routing: mean(f) − μ̂ with μ̂ the
 * prediction-powered mean of Y. mean(f) is known exactly, so the SE is μ̂'s.
 */
export function predictionPoweredJudgeBias(
  input: PredictionPoweredInput,
  options: { variance?: "design" | "superpopulation"; level?: number } = {},
): PredictionPoweredEstimate {
  const mu = predictionPoweredMean(input, options);
  const meanF = input.judge.reduce((s, f) => s + f, 0) / input.judge.length;
  return { ...mu, estimate: meanF - mu.estimate, lower: meanF - mu.upper, upper: meanF - mu.lower };
}

/**
 * Judge bias mean(f − Y) over the stratum's N items, prediction-powered with inverse-probability weights
 * (design.md): μ̂_Y = (1/N)Σ_all f + (1/N)Σ_lab (Y − f)/π, so mean(f) − μ̂_Y = (1/N) Σ_lab (f − Y)/π and only
 * N and the labelled items are needed. SE: the larger of the design SE (1/N)√Σ(1−π)/π²·(f−Y)² (items fixed)
 * and the superpopulation SE sd(b)/√N with b_i = ξ_i(f_i − Y_i)/π_i (items as draws, which keeps the interval
 * honest when every item of a stratum was labelled and the design SE is 0).
 */
export function predictionPoweredBias(n: number, labelled: readonly { d: number; pi: number }[]): Interval & { seDesign: number; seSuper: number } {
  if (!(Number.isFinite(n) && n > 0)) throw new StatsInputError(`predictionPoweredBias: population size ${n} must be > 0`);
  labelled.forEach(({ d, pi }, i) => {
    if (!Number.isFinite(d)) throw new StatsInputError(`predictionPoweredBias: difference at ${i} is not finite (${d})`);
    if (!(Number.isFinite(pi) && pi > 0 && pi <= 1)) throw new InclusionProbabilityError(i, pi);
  });
  const { sum, sumSq, design } = ipwResidualSums(labelled);
  const estimate = sum / n;
  const seDesign = Math.sqrt(design) / n;
  const seSuper = Math.sqrt(Math.max(0, sumSq / n - estimate * estimate) / n);
  const se = Math.max(seDesign, seSuper);
  return { estimate, lower: estimate - Z_95 * se, upper: estimate + Z_95 * se, seDesign, seSuper };
}
