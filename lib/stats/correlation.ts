/**
 * Judge–human agreement on paired scores: rank correlation, exact agreement, mean signed difference.
 */
import { assertFinite, assertNonEmpty, assertSameLength } from "./errors";
import type { Label } from "./kappa";

/** Ranks 1..n with ties given the average of the ranks they span ("fractional ranking"). */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const ranks = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]![0] === order[start]![0]) end++;
    // positions start..end (0-based) share the mean rank ((start+1) + (end+1)) / 2
    const rank = (start + end) / 2 + 1;
    for (let p = start; p <= end; p++) ranks[order[p]![1]] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Pearson product-moment correlation; NaN when either variable is constant. */
export function pearsonR(x: readonly number[], y: readonly number[]): number {
  assertSameLength("pearsonR", x, y);
  assertNonEmpty("pearsonR", x);
  assertFinite("pearsonR x", x);
  assertFinite("pearsonR y", y);
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Spearman's ρ: Pearson's r of the average ranks (correct with ties, unlike 1 − 6Σd²/(n(n²−1))).
 * NaN when either variable is constant.
 */
export function spearmanRho(x: readonly number[], y: readonly number[]): number {
  assertSameLength("spearmanRho", x, y);
  assertFinite("spearmanRho x", x);
  assertFinite("spearmanRho y", y);
  return pearsonR(averageRanks(x), averageRanks(y));
}

/** Share of pairs with identical labels. */
export function exactAgreement(a: readonly Label[], b: readonly Label[]): number {
  assertSameLength("exactAgreement", a, b);
  assertNonEmpty("exactAgreement", a);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** Mean of (judge − human): positive when the judge scores higher than people do. */
export function meanSignedDifference(judge: readonly number[], human: readonly number[]): number {
  assertSameLength("meanSignedDifference", judge, human);
  assertNonEmpty("meanSignedDifference", judge);
  assertFinite("meanSignedDifference judge", judge);
  assertFinite("meanSignedDifference human", human);
  let s = 0;
  for (let i = 0; i < judge.length; i++) s += judge[i]! - human[i]!;
  return s / judge.length;
}
