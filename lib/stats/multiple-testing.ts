/**
 * Tests across many groups or tail buckets: z-test p-values and Benjamini–Hochberg FDR control.
 */
import { StatsInputError } from "./errors";
import { erfc } from "./normal";

/** Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|) = erfc(|z|/√2). */
export function twoSidedPValue(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

/** Wald z-test of H0: θ = θ0 from an estimate and its standard error. */
export function zTest(estimate: number, se: number, nullValue = 0): { z: number; p: number } {
  if (!(se > 0 && Number.isFinite(se))) throw new StatsInputError(`zTest: se = ${se} must be positive and finite`);
  const z = (estimate - nullValue) / se;
  return { z, p: twoSidedPValue(z) };
}

/** Wald z-test that two independent estimates are equal: z = (a − b)/√(se_a² + se_b²). */
export function zTestDifference(
  a: { estimate: number; se: number },
  b: { estimate: number; se: number },
): { z: number; p: number } {
  return zTest(a.estimate - b.estimate, Math.sqrt(a.se * a.se + b.se * b.se));
}

export interface BenjaminiHochbergResult {
  /** BH-adjusted p-values (q-values), in the input order. */
  adjusted: number[];
  /** adjusted ≤ q: rejected while controlling the false discovery rate at q. */
  rejected: boolean[];
}

/**
 * Benjamini–Hochberg step-up procedure (JRSS B 57(1), 1995). With p sorted ascending,
 * adjusted p_(i) = min_{j ≥ i} min(1, m·p_(j)/j); reject where adjusted ≤ q.
 * Equal to R's p.adjust(p, "BH"). NaN p-values are not counted in m and stay NaN / unrejected.
 */
export function benjaminiHochberg(pValues: readonly number[], q = 0.05): BenjaminiHochbergResult {
  if (!(q > 0 && q < 1)) throw new StatsInputError(`benjaminiHochberg: q = ${q} is not in (0, 1)`);
  pValues.forEach((p, i) => {
    if (!Number.isNaN(p) && !(p >= 0 && p <= 1)) throw new StatsInputError(`benjaminiHochberg: p[${i}] = ${p} is not in [0, 1]`);
  });
  const order = pValues
    .map((p, i) => [p, i] as const)
    .filter(([p]) => !Number.isNaN(p))
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const m = order.length;
  const adjusted = new Array<number>(pValues.length).fill(Number.NaN);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const [p, i] = order[r]!;
    running = Math.min(running, (m * p) / (r + 1));
    // m·p/j ≥ p in exact arithmetic; the max guards against rounding (e.g. 3·0.1/3 < 0.1).
    adjusted[i] = Math.max(running, p);
  }
  return { adjusted, rejected: adjusted.map((a) => a <= q) };
}
