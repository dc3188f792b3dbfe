/**
 * Active allocation of one round's labels (T. Zrnic & E. J. Candès, "Active Statistical Inference", ICML 2024):
 * an item whose judge verdict is likely wrong teaches more when a person labels it, so it is drawn with a higher
 * probability, π_i ∝ √q_i (q_i its predicted disagreement), the square-root rule that minimises the variance
 * Σ(1 − π_i)/π_i·v_i of an inverse-probability estimate for a fixed expected budget Σπ_i when v_i ∝ q_i.
 * A floor π_min keeps every item drawable, which keeps every estimate unbiased and bounds the weights by 1/π_min.
 */
import { AllocationInputError } from "./errors";

/**
 * Inclusion probabilities π_i = min(1, max(piMin, λ·√q_i)), with λ chosen so that Σπ_i = budget (to 1e-9
 * relative; in practice to rounding). Water-filling: bisection on λ brackets which items sit on the floor and at
 * the cap, then λ is solved exactly on that segment. π is non-decreasing in q. When every item with q > 0 is
 * already at 1 and budget is left, the floor of the q = 0 items rises to use it (they share one π, still ≤ that
 * of any q > 0 item).
 *
 * Throws AllocationInputError("budget") unless 0 < budget ≤ n (finite); ("piMin") unless piMin ∈ (0, 1] and
 * piMin·n ≤ budget; ("predictedError") for a q that is not a finite number ≥ 0.
 */
export function activePis(predictedError: readonly number[], budget: number, piMin: number): number[] {
  const n = predictedError.length;
  if (!(Number.isFinite(budget) && budget > 0 && budget <= n)) {
    throw new AllocationInputError("budget", `activePis: budget ${budget} must be a finite number in (0, ${n}] (the number of items)`);
  }
  if (!(Number.isFinite(piMin) && piMin > 0 && piMin <= 1)) throw new AllocationInputError("piMin", `activePis: π_min ${piMin} must be in (0, 1]`);
  if (piMin * n > budget * (1 + 1e-12)) {
    throw new AllocationInputError("piMin", `activePis: π_min ${piMin} × ${n} items = ${piMin * n} exceeds the budget ${budget}`);
  }
  const root = predictedError.map((q, i) => {
    if (!(Number.isFinite(q) && q >= 0)) throw new AllocationInputError("predictedError", `activePis: predicted error ${q} at ${i} must be a finite number ≥ 0`);
    return Math.sqrt(q);
  });
  if (budget >= n) return new Array<number>(n).fill(1);
  // √q rescaled to a maximum of 1 (π depends on λ·√q only: this changes λ's units, nothing else); a value below
  // 1e-300 of the largest counts as q = 0, so that λ stays finite.
  let rootMax = 0;
  for (const r of root) rootMax = Math.max(rootMax, r);
  const s = root.map((r) => (rootMax > 0 && r / rootMax >= 1e-300 ? r / rootMax : 0));

  const total = (lambda: number): number => {
    let t = 0;
    for (const si of s) t += Math.min(1, Math.max(piMin, lambda * si));
    return t;
  };
  let sMin = Infinity;
  let zeros = 0;
  for (const si of s) {
    if (si > 0) sMin = Math.min(sMin, si);
    else zeros++;
  }
  if (zeros === n) return new Array<number>(n).fill(budget / n);
  const lambdaAll = 1 / sMin; // every q > 0 item at 1
  if (total(lambdaAll) < budget) {
    // Only the q = 0 items can take more: raise their shared floor.
    const floor = Math.min(1, (budget - (n - zeros)) / zeros);
    return s.map((si) => (si > 0 ? 1 : floor));
  }

  // Bisection on λ ∈ [0, λ_all] (Σπ(λ) is continuous and non-decreasing) until both ends of the bracket put the
  // same items on the floor and at the cap: the sets are monotone in λ, so equal counts mean equal sets, and on
  // that segment Σπ is linear in λ and solved exactly. The bracket first grows geometrically from λ = 1 (the
  // largest q at 1) and is split geometrically while it spans more than a factor 4, since q may span many orders
  // of magnitude.
  const classify = (lambda: number): { floored: number; capped: number; free: number; sum: number } => {
    let floored = 0;
    let capped = 0;
    let free = 0;
    for (const si of s) {
      const v = lambda * si;
      if (v >= 1) capped++;
      else if (v <= piMin) floored++;
      else free += si;
    }
    return { floored, capped, free, sum: capped + floored * piMin + lambda * free };
  };
  let lo = 0;
  let cLo = classify(lo);
  let hi = Math.min(1, lambdaAll);
  let cHi = classify(hi);
  while (cHi.sum < budget && hi < lambdaAll) {
    lo = hi;
    cLo = cHi;
    hi = Math.min(lambdaAll, hi * 16);
    cHi = classify(hi);
  }
  for (let iter = 0; iter < 400 && (cLo.floored !== cHi.floored || cLo.capped !== cHi.capped) && hi - lo > 1e-15 * hi; iter++) {
    const mid = lo > 0 && hi / lo > 4 ? Math.sqrt(lo) * Math.sqrt(hi) : lo + 0.5 * (hi - lo);
    const cMid = classify(mid);
    if (cMid.sum < budget) {
      lo = mid;
      cLo = cMid;
    } else {
      hi = mid;
      cHi = cMid;
    }
  }
  let lambda = hi;
  if (cHi.free > 0) {
    const exact = (budget - cHi.capped - cHi.floored * piMin) / cHi.free;
    if (exact > 0 && Number.isFinite(exact)) lambda = exact;
  }
  const pis = s.map((si) => Math.min(1, Math.max(piMin, lambda * si)));
  // Keep whichever λ meets the budget more closely (the exact one unless a boundary moved under rounding).
  const err = Math.abs(pis.reduce((a, b) => a + b, 0) - budget);
  if (err > 1e-12 * budget) {
    const alt = s.map((si) => Math.min(1, Math.max(piMin, hi * si)));
    if (Math.abs(alt.reduce((a, b) => a + b, 0) - budget) < err) return alt;
  }
  return pis;
}
