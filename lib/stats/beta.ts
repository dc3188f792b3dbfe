/**
 * The beta distribution: the regularized incomplete beta function I_x(a, b), its inverse, and the one-sided
 * Clopper–Pearson upper bound built on them. Pure functions, near double precision for moderate a, b.
 */
import { StatsInputError } from "./errors";

// Lanczos approximation of log Γ (g = 7, 9 coefficients; relative error ~1e-15 for x > 0), with the reflection
// formula below 0.5. Used only through logBeta.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function logGammaPositive(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGammaPositive(1 - x);
  const z = x - 1;
  let s = LANCZOS[0]!;
  for (let k = 1; k < LANCZOS.length; k++) s += LANCZOS[k]! / (z + k);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGammaPositive(a) + logGammaPositive(b) - logGammaPositive(a + b);
}

// Continued fraction for I_x(a, b) (Numerical Recipes §6.4, modified Lentz); converges fast for
// x < (a + 1)/(a + b + 2), in O(√max(a, b)) terms.
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return h;
}

function checkShape(what: string, a: number, b: number): void {
  if (!(Number.isFinite(a) && a > 0)) throw new StatsInputError(`${what}: a = ${a} must be a finite number > 0`);
  if (!(Number.isFinite(b) && b > 0)) throw new StatsInputError(`${what}: b = ${b} must be a finite number > 0`);
}

/**
 * Both tails, each to relative precision: [I_x(a, b), 1 − I_x(a, b)]. The continued fraction gives the tail on
 * the near side of the mean directly; the other is 1 minus it. Unchecked: a, b > 0 and 0 < x < 1.
 */
function betaTails(x: number, a: number, b: number): [number, number] {
  // log of the front factor x^a (1 − x)^b / B(a, b); log1p keeps (1 − x) exact for small x.
  const front = Math.exp(a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b));
  if (x < (a + 1) / (a + b + 2)) {
    const lower = Math.min(1, Math.max(0, (front * betaContinuedFraction(x, a, b)) / a));
    return [lower, 1 - lower];
  }
  const upper = Math.min(1, Math.max(0, (front * betaContinuedFraction(1 - x, b, a)) / b));
  return [1 - upper, upper];
}

/**
 * The regularized incomplete beta function I_x(a, b) = B(x; a, b)/B(a, b), the CDF of Beta(a, b) at x, for real
 * a, b > 0 and x ∈ [0, 1]. Continued fraction on whichever side of the mean converges fast, using
 * I_x(a, b) = 1 − I_{1−x}(b, a) on the other. With integer parameters, I_p(k + 1, n − k) = P(Bin(n, p) > k).
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  checkShape("regularizedIncompleteBeta", a, b);
  if (!(x >= 0 && x <= 1)) throw new StatsInputError(`regularizedIncompleteBeta: x = ${x} is not in [0, 1]`);
  if (x === 0) return 0;
  if (x === 1) return 1;
  return betaTails(x, a, b)[0];
}

/** Beta(a, b) density at x ∈ (0, 1). */
function betaDensity(x: number, a: number, b: number): number {
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b));
}

/**
 * The p-quantile of Beta(a, b): the x with I_x(a, b) = p (0 for p = 0, 1 for p = 1). Newton's method on
 * I_x(a, b) − p (computed from the upper tail when p > ½, so quantiles near 1 stay precise) inside a bracket that
 * always shrinks; a step that leaves the bracket or does not halve it is
 * replaced by bisection, so it converges for every a, b > 0, to near double precision relative to x.
 */
export function betaQuantile(p: number, a: number, b: number): number {
  checkShape("betaQuantile", a, b);
  if (!(p >= 0 && p <= 1)) throw new StatsInputError(`betaQuantile: p = ${p} is not in [0, 1]`);
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0;
  let hi = 1;
  let x = a / (a + b); // the mean: a reasonable start everywhere; the bracket does the rest
  let widthBefore = 1; // the bracket's width two steps ago
  let widthLast = 1;
  for (let iter = 0; iter < 2000; iter++) {
    // f = I_x − p, from the tail that carries p's precision: for p > ½, (1 − p) − (1 − I_x), and 1 − p is exact.
    const [lower, upper] = betaTails(x, a, b);
    const f = p <= 0.5 ? lower - p : 1 - p - upper;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const density = betaDensity(x, a, b);
    let next = density > 0 && Number.isFinite(density) ? x - f / density : Number.NaN;
    // Bisect when Newton leaves the bracket or the bracket failed to halve in two steps; geometrically when the
    // bracket spans orders of magnitude, so a tiny quantile takes a few dozen steps, not a thousand.
    if (!(next > lo && next < hi) || hi - lo > 0.5 * widthBefore) {
      next = lo > 0 && hi / lo > 8 ? Math.sqrt(lo * hi) : lo === 0 && hi < 0.125 ? hi / 8 : 0.5 * (lo + hi);
    }
    widthBefore = widthLast;
    widthLast = hi - lo;
    // Converged: a step below 1e-15 of the distance to the nearer end (relative precision near 0 and near 1),
    // or no double left strictly inside the bracket.
    if (Math.abs(next - x) <= 1e-15 * Math.min(next, 1 - next)) return next;
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) return next;
    x = next;
  }
  return x;
}

/**
 * One-sided (1 − alpha) Clopper–Pearson upper bound for a binomial proportion (C. J. Clopper & E. S. Pearson,
 * Biometrika 1934): the p with P(Bin(n, p) ≤ successes) = alpha, i.e. the (1 − alpha)-quantile of
 * Beta(successes + 1, n − successes). successes and n may be non-integer (effective counts of a weighted sample,
 * e.g. rate·n_Kish and n_Kish); successes = n gives 1, and so does n = 0 (no information).
 */
export function clopperPearsonUpper(successes: number, n: number, alpha: number): number {
  if (!(Number.isFinite(n) && n >= 0)) throw new StatsInputError(`clopperPearsonUpper: n = ${n} must be a finite number ≥ 0`);
  if (!(Number.isFinite(successes) && successes >= 0 && successes <= n * (1 + 1e-12))) {
    throw new StatsInputError(`clopperPearsonUpper: successes = ${successes} must be in [0, n]`);
  }
  if (!(alpha > 0 && alpha < 1)) throw new StatsInputError(`clopperPearsonUpper: alpha = ${alpha} is not in (0, 1)`);
  if (n - successes <= 0) return 1;
  return betaQuantile(1 - alpha, successes + 1, n - successes);
}
