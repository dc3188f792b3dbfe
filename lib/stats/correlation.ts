/**
 * Judge–human agreement on paired scores: rank correlation, exact agreement, mean signed difference.
 */
import { StatsInputError, assertFinite, assertNonEmpty, assertSameLength } from "./errors";
import { tableMargins, type Label } from "./kappa";

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

// Above this many distinct (x, y) value combinations spearmanRho refuses rather than allocate the table.
const MAX_SPEARMAN_CELLS = 1 << 22;

/**
 * Spearman's ρ: Pearson's r of the average ranks (correct with ties, unlike 1 − 6Σd²/(n(n²−1))).
 * NaN when either variable is constant. Counts the pairs into a table of distinct values and reads it through
 * spearmanFromFlat, the one implementation; meant for scores on a scale (memory is distinct x × distinct y).
 */
export function spearmanRho(x: readonly number[], y: readonly number[]): number {
  assertSameLength("spearmanRho", x, y);
  assertNonEmpty("spearmanRho", x);
  assertFinite("spearmanRho x", x);
  assertFinite("spearmanRho y", y);
  const rowValues = [...new Set(x)].sort((a, b) => a - b);
  const colValues = [...new Set(y)].sort((a, b) => a - b);
  const r = rowValues.length;
  const c = colValues.length;
  if (r * c > MAX_SPEARMAN_CELLS) {
    throw new StatsInputError(`spearmanRho: ${r} × ${c} distinct values is too many for the table (scores on a scale expected)`);
  }
  const row = new Map(rowValues.map((v, i) => [v, i]));
  const col = new Map(colValues.map((v, j) => [v, j]));
  const flat = new Float64Array(r * c);
  for (let i = 0; i < x.length; i++) flat[row.get(x[i]!)! * c + col.get(y[i]!)!]! += 1;
  return spearmanFromFlat(flat, rowValues, colValues);
}

/** Weighted Spearman ρ from an r × c table of weights over ascending row and column scale values. */
export function spearmanFromTable(table: readonly (readonly number[])[], rowValues: readonly number[], colValues: readonly number[]): number {
  return spearmanFromFlat(Float64Array.from(table.flat()), rowValues, colValues);
}

/**
 * Weighted Spearman ρ from a flat row-major r × c table of weights (rows and columns in ascending order of
 * their scale values; only the order matters): Pearson's r of the weighted midranks, so a table of counts
 * gives spearmanRho of the pairs. Allocation-light, as the report's bootstrap calls it thousands of times.
 * NaN for an empty table or when either margin has a single value.
 */
export function spearmanFromFlat(flat: Float64Array, rowValues: readonly number[], colValues: readonly number[]): number {
  const r = rowValues.length;
  const c = colValues.length;
  const { rows: rowW, cols: colW, total } = tableMargins(flat, r, c);
  // A margin with a single value has no ranks to correlate (tested on counts, as rounding can leave sxx ≠ 0).
  if (total <= 0 || occupied(rowW) < 2 || occupied(colW) < 2) return Number.NaN;
  // Midrank of a scale point: weight strictly below it plus half its own weight (the +½ of unweighted
  // average ranks shifts every rank equally and leaves Pearson's r unchanged).
  const rr = midranks(rowW);
  const cr = midranks(colW);
  let mr = 0;
  let mc = 0;
  for (let i = 0; i < r; i++) mr += rr[i]! * rowW[i]!;
  for (let j = 0; j < c; j++) mc += cr[j]! * colW[j]!;
  mr /= total;
  mc /= total;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < r; i++) sxx += rowW[i]! * (rr[i]! - mr) ** 2;
  for (let j = 0; j < c; j++) syy += colW[j]! * (cr[j]! - mc) ** 2;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) sxy += flat[i * c + j]! * (rr[i]! - mr) * (cr[j]! - mc);
  }
  return sxy / Math.sqrt(sxx * syy);
}

function occupied(w: Float64Array): number {
  let n = 0;
  for (let i = 0; i < w.length; i++) if (w[i]! > 0) n++;
  return n;
}

function midranks(w: Float64Array): Float64Array {
  const out = new Float64Array(w.length);
  let below = 0;
  for (let i = 0; i < w.length; i++) {
    out[i] = below + w[i]! / 2;
    below += w[i]!;
  }
  return out;
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
