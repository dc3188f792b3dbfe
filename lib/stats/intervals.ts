/**
 * Confidence intervals: Wilson for proportions, a seeded weighted bootstrap for statistics with
 * no closed-form variance (Krippendorff's α, κ).
 */
import { StatsInputError, assertFinite, assertSameLength } from "./errors";
import { Z_95 } from "./normal";
import { createRng } from "./random";

export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * Wilson score interval for a binomial proportion (E. B. Wilson, JASA 1927). For n = 0 the estimate is NaN
 * and the interval is [0, 1]. Checks its counts and calls wilsonEffective, the one implementation.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): Interval {
  if (!(Number.isInteger(n) && n >= 0)) throw new StatsInputError(`wilsonInterval: n = ${n} must be a non-negative integer`);
  if (!(Number.isFinite(successes) && successes >= 0 && successes <= n)) {
    throw new StatsInputError(`wilsonInterval: successes = ${successes} must be in [0, n]`);
  }
  if (!(z > 0 && Number.isFinite(z))) throw new StatsInputError(`wilsonInterval: z = ${z} must be positive`);
  if (n === 0) return { estimate: Number.NaN, lower: 0, upper: 1 };
  return wilsonEffective(successes / n, n, z);
}

/**
 * Wilson's interval for a proportion p̂ observed on n (possibly fractional) units:
 * (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). With n the Kish effective sample size (Σw)²/Σw² of a
 * weighted proportion it is the usual survey adjustment: the design effect of unequal weights shrinks n.
 * Unchecked: p must be in [0, 1] and nEff > 0.
 */
export function wilsonEffective(p: number, nEff: number, z: number = Z_95): Interval {
  const z2 = z * z;
  const denom = 1 + z2 / nEff;
  const center = (p + z2 / (2 * nEff)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / nEff + z2 / (4 * nEff * nEff));
  return { estimate: p, lower: Math.max(0, center - half), upper: Math.min(1, center + half) };
}

/** Quantile of ascending-sorted values by linear interpolation (Hyndman & Fan type 7, R's default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(q >= 0 && q <= 1)) throw new StatsInputError(`quantileSorted: q = ${q} is not in [0, 1]`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface BootstrapOptions {
  /** Number of resamples; at least 1,000. */
  resamples?: number;
  /** Seed for the PRNG; store it beside the result so the interval can be reproduced. */
  seed: number;
  /** Confidence level of the percentile interval. Default 0.95. */
  level?: number;
}

export interface BootstrapResult extends Interval {
  level: number;
  resamples: number;
  seed: number;
  /** Resamples whose statistic was finite (others, e.g. α with no variation, are dropped). */
  valid: number;
  /** Standard deviation of the finite bootstrap statistics. */
  se: number;
}

/** A statistic of rows carrying design weights (e.g. 1/π); should use the weights it is given. */
export type WeightedStatistic<T> = (rows: readonly T[], weights: readonly number[]) => number;

/**
 * Percentile bootstrap of a weighted statistic (B. Efron & R. Tibshirani, "An Introduction to the
 * Bootstrap", 1993, ch. 13). Each resample draws n rows uniformly with replacement — the labelled
 * items are the sampling units — and each drawn row keeps its weight, which statFn applies.
 * Deterministic for a given seed. Certainty units (π = 1) are resampled too, which makes the
 * interval somewhat conservative.
 */
export function weightedBootstrap<T>(
  statFn: WeightedStatistic<T>,
  rows: readonly T[],
  weights: readonly number[],
  options: BootstrapOptions,
): BootstrapResult {
  assertSameLength("weightedBootstrap", rows, weights);
  assertFinite("weightedBootstrap weights", weights);
  if (weights.some((w) => w < 0)) throw new StatsInputError("weightedBootstrap: weights must be ≥ 0");
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (!(Number.isInteger(resamples) && resamples >= 1000)) {
    throw new StatsInputError(`weightedBootstrap: resamples = ${resamples}; use at least 1,000`);
  }
  if (!(level > 0 && level < 1)) throw new StatsInputError(`weightedBootstrap: level ${level} is not in (0, 1)`);

  const estimate = statFn(rows, weights);
  const n = rows.length;
  const base = { estimate, level, resamples, seed: options.seed };
  if (n === 0) return { ...base, lower: Number.NaN, upper: Number.NaN, valid: 0, se: Number.NaN };

  const rng = createRng(options.seed);
  const stats: number[] = [];
  for (let b = 0; b < resamples; b++) {
    // fresh arrays each time, so a statFn that keeps its input never sees it change
    const sampleRows = new Array<T>(n);
    const sampleWeights = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const j = rng.nextInt(n);
      sampleRows[i] = rows[j]!;
      sampleWeights[i] = weights[j]!;
    }
    const s = statFn(sampleRows, sampleWeights);
    if (Number.isFinite(s)) stats.push(s);
  }
  stats.sort((a, b) => a - b);
  const mean = stats.reduce((s, x) => s + x, 0) / stats.length;
  const se = stats.length > 1 ? Math.sqrt(stats.reduce((s, x) => s + (x - mean) ** 2, 0) / (stats.length - 1)) : Number.NaN;
  const alpha = 1 - level;
  return {
    ...base,
    lower: quantileSorted(stats, alpha / 2),
    upper: quantileSorted(stats, 1 - alpha / 2),
    valid: stats.length,
    se,
  };
}
