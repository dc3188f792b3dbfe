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

function normalInterval(estimate: number, variance: number, level: number, clip?: [number, number]): Estimate {
  const se = Math.sqrt(variance);
  const z = level === 0.95 ? Z_95 : zForLevel(level);
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
 * Hájek-weighted proportion (e.g. judge–human agreement rate) with its linearisation variance
 * and a normal interval clipped to [0, 1].
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
  return { ...e, lower: Math.max(0, e.lower), upper: Math.min(1, e.upper) };
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

  const terms = new Array<number>(N);
  let designVar = 0;
  let nLabelled = 0;
  for (let i = 0; i < N; i++) {
    const f = judge[i]!;
    const isLabelled = input.labelled ? Boolean(input.labelled[i]) : human[i] !== null;
    if (!isLabelled) {
      terms[i] = f;
      continue;
    }
    const y = human[i];
    const p = pi[i];
    if (y === null || y === undefined || !Number.isFinite(y)) {
      throw new StatsInputError(`predictionPoweredMean: labelled item ${i} has no finite human value`);
    }
    if (p === null || p === undefined) throw new StatsInputError(`predictionPoweredMean: labelled item ${i} has no π`);
    if (!(Number.isFinite(p) && p > 0 && p <= 1)) throw new InclusionProbabilityError(i, p);
    terms[i] = f + (y - f) / p;
    designVar += ((1 - p) / (p * p)) * (y - f) ** 2;
    nLabelled++;
  }
  const estimate = terms.reduce((s, t) => s + t, 0) / N;
  const termVar = terms.reduce((s, t) => s + (t - estimate) ** 2, 0) / N;
  const seDesign = Math.sqrt(designVar) / N;
  const seSuperpopulation = Math.sqrt(termVar / N);
  const se = options.variance === "superpopulation" ? seSuperpopulation : seDesign;
  return {
    ...normalInterval(estimate, se * se, options.level ?? 0.95),
    seDesign,
    seSuperpopulation,
    n: N,
    nLabelled,
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
