/**
 * The standard normal distribution: erfc, CDF and quantile to near double precision.
 */
import { StatsInputError } from "./errors";

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;

/** z with Φ(z) = 0.975; the default for two-sided 95% intervals. */
export const Z_95 = 1.959963984540054;

// erf(x) = 2/√π · e^{−x²} · Σ_{n≥0} 2ⁿ x^{2n+1} / (1·3·…·(2n+1))  (Abramowitz & Stegun 7.1.6);
// every term is positive, so there is no cancellation for 0 ≤ x < 3.
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return ((2 / SQRT_PI) * Math.exp(-x * x) * sum);
}

// erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))  (A&S 7.1.14),
// evaluated with the modified Lentz algorithm; converges quickly for x ≥ 3.
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/** Complementary error function erfc(x) = 1 − erf(x), accurate in relative terms in both tails. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x >= 3) return erfcContinuedFraction(x);
  return 1 - erfSeries(x);
}

/** Error function erf(x). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return -erf(-x);
  return x < 3 ? erfSeries(x) : 1 - erfcContinuedFraction(x);
}

/** Standard normal CDF Φ(z) = erfc(−z/√2)/2. */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** Upper tail 1 − Φ(z) without cancellation for large z. */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z / SQRT2);
}

// Acklam's rational approximation (relative error 1.15e-9), then one Halley step on Φ
// to reach near double precision (P. J. Acklam, "An algorithm for computing the inverse normal CDF").
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

function acklam(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/** Quantile Φ⁻¹(p) of the standard normal; ±Infinity at p = 0 or 1. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new StatsInputError(`normalQuantile: p = ${p} is not in [0, 1]`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x = acklam(p);
  // Halley refinement: e = Φ(x) − p, u = e·√(2π)·exp(x²/2), x ← x − u/(1 + x·u/2).
  // In the upper half use the survival function so the error term keeps its precision.
  const e = p < 0.5 ? normalCdf(x) - p : (1 - p) - normalSurvival(x);
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  x = x - u / (1 + (x * u) / 2);
  return x;
}

/** z for a two-sided interval at confidence `level` (0.95 → 1.95996…). */
export function zForLevel(level: number): number {
  if (!(level > 0 && level < 1)) throw new StatsInputError(`confidence level ${level} is not in (0, 1)`);
  return normalQuantile(0.5 + level / 2);
}
