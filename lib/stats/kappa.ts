/**
 * Cohen's kappa (two raters, optionally weighted) and Fleiss' kappa (many raters).
 */
import { StatsInputError, assertNonEmpty, assertSameLength } from "./errors";

export type KappaWeights = "unweighted" | "linear" | "quadratic";
export type Label = number | string;

/** Ascending order for numbers, code-unit order for strings; numbers before strings. */
export function compareLabels(a: Label, b: Label): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Distinct labels that occur in any of the arrays, in compareLabels order. */
export function occurringCategories(...arrays: readonly (readonly Label[])[]): Label[] {
  const set = new Set<Label>();
  for (const arr of arrays) for (const v of arr) set.add(v);
  return [...set].sort(compareLabels);
}

/**
 * k × k contingency table of rater a (rows) against rater b (columns). `pairWeights`
 * (e.g. 1/π per item) turns counts into weighted counts.
 */
export function contingencyTable(
  a: readonly Label[],
  b: readonly Label[],
  categories: readonly Label[] = occurringCategories(a, b),
  pairWeights?: readonly number[],
): number[][] {
  assertSameLength("contingencyTable", a, b);
  if (pairWeights) assertSameLength("contingencyTable weights", a, pairWeights);
  const index = new Map<Label, number>(categories.map((c, i) => [c, i]));
  if (index.size !== categories.length) throw new StatsInputError("contingencyTable: duplicate categories");
  const k = categories.length;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < a.length; i++) {
    const r = index.get(a[i]!);
    const c = index.get(b[i]!);
    if (r === undefined || c === undefined) {
      throw new StatsInputError(`contingencyTable: label at ${i} is not among the categories`);
    }
    const w = pairWeights ? pairWeights[i]! : 1;
    if (!(Number.isFinite(w) && w >= 0)) throw new StatsInputError(`contingencyTable: bad weight at ${i}`);
    table[r]![c]! += w;
  }
  return table;
}

/**
 * Disagreement weight between category indices i and j of k categories:
 * unweighted 1[i≠j], linear |i−j|/(k−1), quadratic ((i−j)/(k−1))² (Cohen 1968).
 * Weights use the category's index, not its value.
 */
function disagreement(weights: KappaWeights, i: number, j: number, k: number): number {
  if (i === j) return 0;
  if (weights === "unweighted") return 1;
  const d = Math.abs(i - j) / (k - 1);
  return weights === "linear" ? d : d * d;
}

/**
 * Cohen's kappa from a k × k table of (possibly weighted) counts:
 * κ_w = 1 − Σ w_ij p_ij / Σ w_ij p_i· p_·j. Returns NaN when expected disagreement is zero.
 * Checks the table and reads it through kappaFromFlat, the one implementation.
 */
export function cohenKappaFromTable(table: readonly (readonly number[])[], weights: KappaWeights = "unweighted"): number {
  const k = table.length;
  if (k === 0) throw new StatsInputError("cohenKappaFromTable: empty table");
  for (const row of table) {
    if (row.length !== k) throw new StatsInputError("cohenKappaFromTable: table is not square");
    for (const x of row) {
      if (!(Number.isFinite(x) && x >= 0)) throw new StatsInputError("cohenKappaFromTable: cells must be finite and ≥ 0");
    }
  }
  return kappaFromFlat(Float64Array.from(table.flat()), k, weights);
}

/** Row and column sums and the total of a flat row-major r × c table (the table statistics' shared first pass). */
export function tableMargins(flat: Float64Array, r: number, c: number): { rows: Float64Array; cols: Float64Array; total: number } {
  const rows = new Float64Array(r);
  const cols = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const x = flat[i * c + j]!;
      rows[i]! += x;
      cols[j]! += x;
      total += x;
    }
  }
  return { rows, cols, total };
}

/**
 * Cohen's κ_w from a flat row-major k × k table (rater a in rows), the one implementation: κ_w = 1 −
 * Σ w_ij x_ij / Σ w_ij x_i· x_·j / x_·· with weights on category indices, unweighted 1[i≠j], linear
 * |i−j|/(k−1) or quadratic ((i−j)/(k−1))². Unchecked, and allocates only the marginals: the report's
 * bootstrap calls it thousands of times. NaN for an empty table or when expected disagreement is zero.
 */
export function kappaFromFlat(flat: Float64Array, k: number, weights: KappaWeights): number {
  const { rows, cols, total } = tableMargins(flat, k, k);
  if (total === 0) return Number.NaN;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = disagreement(weights, i, j, k);
      if (w === 0) continue;
      observed += w * flat[i * k + j]!;
      expected += (w * rows[i]! * cols[j]!) / total;
    }
  }
  if (expected === 0) return Number.NaN;
  return 1 - observed / expected;
}

/**
 * Cohen's kappa of two raters' labels on the same items. Categories default to the labels that
 * occur in either array, sorted; weighted variants then use the index in that list (as R irr's
 * kappa2 does), so absent scale points do not stretch distances. Pass `categories` to weight on
 * the full scale instead.
 */
export function cohenKappa(
  a: readonly Label[],
  b: readonly Label[],
  weights: KappaWeights = "unweighted",
  categories?: readonly Label[],
): number {
  assertSameLength("cohenKappa", a, b);
  assertNonEmpty("cohenKappa", a);
  return cohenKappaFromTable(contingencyTable(a, b, categories ?? occurringCategories(a, b)), weights);
}

/**
 * Fleiss' kappa from a units × categories matrix of counts (Fleiss 1971):
 * P_i = Σ_j n_ij(n_ij − 1) / (n_i(n_i − 1)), P̄ = mean P_i, p_j = Σ_i n_ij / Σ_i n_i,
 * P_e = Σ_j p_j², κ = (P̄ − P_e)/(1 − P_e).
 * Units with fewer than two ratings are dropped; units may have different numbers of raters
 * (each unit's P_i uses its own n_i), which reduces to Fleiss' formula when n_i is constant.
 * Returns NaN when no unit is pairable or P_e = 1.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): number {
  assertNonEmpty("fleissKappa", counts);
  const k = counts[0]!.length;
  const categoryTotals = new Array<number>(k).fill(0);
  let sumP = 0;
  let units = 0;
  let ratings = 0;
  for (const row of counts) {
    if (row.length !== k) throw new StatsInputError("fleissKappa: rows have different numbers of categories");
    let n = 0;
    for (const x of row) {
      if (!(Number.isInteger(x) && x >= 0)) throw new StatsInputError("fleissKappa: counts must be non-negative integers");
      n += x;
    }
    if (n < 2) continue;
    let agree = 0;
    row.forEach((x, j) => {
      agree += x * (x - 1);
      categoryTotals[j]! += x;
    });
    sumP += agree / (n * (n - 1));
    units += 1;
    ratings += n;
  }
  if (units === 0) return Number.NaN;
  const pBar = sumP / units;
  const pE = categoryTotals.reduce((s, x) => s + (x / ratings) ** 2, 0);
  if (pE === 1) return Number.NaN;
  return (pBar - pE) / (1 - pE);
}

/** Units × categories counts from a raters × units matrix (null = missing). */
export function fleissCountsFromRatings(
  data: readonly (readonly (Label | null)[])[],
  categories?: readonly Label[],
): { categories: Label[]; counts: number[][] } {
  assertNonEmpty("fleissCountsFromRatings", data);
  const nUnits = data[0]!.length;
  for (const row of data) {
    if (row.length !== nUnits) throw new StatsInputError("fleissCountsFromRatings: ragged raters × units matrix");
  }
  const cats = categories
    ? [...categories]
    : occurringCategories(...data.map((row) => row.filter((v): v is Label => v !== null)));
  const index = new Map<Label, number>(cats.map((c, i) => [c, i]));
  const counts = Array.from({ length: nUnits }, () => new Array<number>(cats.length).fill(0));
  for (const row of data) {
    row.forEach((v, u) => {
      if (v === null) return;
      const j = index.get(v);
      if (j === undefined) throw new StatsInputError(`fleissCountsFromRatings: label ${String(v)} is not a category`);
      counts[u]![j]! += 1;
    });
  }
  return { categories: cats, counts };
}

/** Fleiss' kappa straight from a raters × units matrix (null = missing). */
export function fleissKappaFromRatings(
  data: readonly (readonly (Label | null)[])[],
  categories?: readonly Label[],
): number {
  return fleissKappa(fleissCountsFromRatings(data, categories).counts);
}
