/**
 * Statistics of small sufficient tables, so a bootstrap resample costs O(distinct unit types), not O(units).
 * On a discrete scale, Cohen's κ and Spearman's ρ are functions of the (weighted) judge × consensus table and
 * Krippendorff's α of the (weighted) coincidence matrix.
 */
import { Z_95, createRng, krippendorffAlphaFromCoincidences, quantileSorted, type MeasurementLevel } from "@/lib/stats";
import type { IntervalValue } from "./types";

/** Weighted Spearman ρ from an r × c table of weights with row and column scale values (midranks). */
export function spearmanFromTable(table: readonly (readonly number[])[], rowValues: readonly number[], colValues: readonly number[]): number {
  const rowW = table.map((r) => r.reduce((s, x) => s + x, 0));
  const colW = colValues.map((_, j) => table.reduce((s, r) => s + r[j]!, 0));
  const total = rowW.reduce((s, x) => s + x, 0);
  if (total <= 0) return Number.NaN;
  // Midrank of a scale point: weight strictly below it plus half its own weight (the +½ of unweighted
  // midranks shifts every rank equally and leaves Pearson's r unchanged).
  const midranks = (w: number[], values: readonly number[]) => {
    const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
    const r = new Array<number>(values.length).fill(0);
    let below = 0;
    for (const [, i] of order) {
      r[i] = below + w[i]! / 2;
      below += w[i]!;
    }
    return r;
  };
  const rr = midranks(rowW, rowValues);
  const cr = midranks(colW, colValues);
  const mr = rr.reduce((s, x, i) => s + x * rowW[i]!, 0) / total;
  const mc = cr.reduce((s, x, j) => s + x * colW[j]!, 0) / total;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rowValues.length; i++) sxx += rowW[i]! * (rr[i]! - mr) ** 2;
  for (let j = 0; j < colValues.length; j++) syy += colW[j]! * (cr[j]! - mc) ** 2;
  for (let i = 0; i < rowValues.length; i++) {
    for (let j = 0; j < colValues.length; j++) sxy += table[i]![j]! * (rr[i]! - mr) * (cr[j]! - mc);
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Per-unit coincidences (Krippendorff 2011): ordered pairs of values from different raters / (m − 1). */
export function unitCoincidences(codes: readonly number[], k: number): { cells: number[]; amounts: number[] } {
  const m = codes.length;
  const counts = new Map<number, number>();
  for (const c of codes) counts.set(c, (counts.get(c) ?? 0) + 1);
  const cells: number[] = [];
  const amounts: number[] = [];
  for (const [c, nc] of counts) {
    for (const [d, nd] of counts) {
      const pairs = c === d ? nc * (nc - 1) : nc * nd;
      if (pairs === 0) continue;
      cells.push(c * k + d);
      amounts.push(pairs / (m - 1));
    }
  }
  return { cells, amounts };
}

/** α from a flat k × k coincidence array over scale values (zero rows are dropped first). */
export function alphaFromFlat(flat: Float64Array, scale: readonly number[], level: MeasurementLevel): number {
  const k = scale.length;
  const keep: number[] = [];
  for (let c = 0; c < k; c++) {
    let row = 0;
    for (let d = 0; d < k; d++) row += flat[c * k + d]!;
    if (row > 0) keep.push(c);
  }
  const o = keep.map((c) => keep.map((d) => flat[c * k + d]!));
  const marginals = o.map((r) => r.reduce((s, x) => s + x, 0));
  const n = marginals.reduce((s, x) => s + x, 0);
  return krippendorffAlphaFromCoincidences({ values: keep.map((c) => scale[c]!), o, marginals, n }, level);
}

/** A class of identical units: how many there are and what each adds to the table (sparse). */
export type UnitType = { count: number; cells: number[]; amounts: number[] };

/** Group units with identical contributions, so resampling draws one count per type. */
export function typeUnits(units: readonly { cells: number[]; amounts: number[] }[]): UnitType[] {
  const byKey = new Map<string, UnitType>();
  for (const u of units) {
    const key = `${u.cells.join(",")}|${u.amounts.join(",")}`;
    const t = byKey.get(key);
    if (t) t.count += 1;
    else byKey.set(key, { count: 1, cells: u.cells, amounts: u.amounts });
  }
  return [...byKey.values()];
}

/**
 * Poisson(λ) draw: inversion for small λ, a rounded normal for large λ (λ ≥ 50, where the Poisson is close
 * to normal and the sum over types dominates the error anyway).
 */
export function poissonDraw(lambda: number, uniform: () => number, normal: () => number): number {
  if (lambda >= 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
  const u = uniform();
  let k = 0;
  let p = Math.exp(-lambda);
  let cdf = p;
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/**
 * Poisson bootstrap of a statistic of a summed table (Hanley & MacGibbon 2006; Chamandy et al. 2012): each
 * unit appears Poisson(1) times per resample, so a type of c identical units appears Poisson(c) times. For
 * large n this matches the multinomial bootstrap and costs O(types) per resample. Seeded; percentile interval.
 */
export function tableBootstrap(
  types: readonly UnitType[],
  size: number,
  stat: (flat: Float64Array) => number,
  options: { resamples: number; seed: number },
): IntervalValue | null {
  const full = new Float64Array(size);
  for (const t of types) for (let i = 0; i < t.cells.length; i++) full[t.cells[i]!]! += t.count * t.amounts[i]!;
  const estimate = stat(full);
  if (!Number.isFinite(estimate)) return null;
  const rng = createRng(options.seed);
  const stats: number[] = [];
  const flat = new Float64Array(size);
  for (let b = 0; b < options.resamples; b++) {
    flat.fill(0);
    for (const t of types) {
      const times = poissonDraw(t.count, () => rng.next(), () => rng.normal());
      if (times === 0) continue;
      for (let i = 0; i < t.cells.length; i++) flat[t.cells[i]!]! += times * t.amounts[i]!;
    }
    const s = stat(flat);
    if (Number.isFinite(s)) stats.push(s);
  }
  stats.sort((a, b) => a - b);
  // Too few resamples with a defined statistic (e.g. no variation): no honest interval.
  if (stats.length < options.resamples / 2) return null;
  return { estimate, lower: quantileSorted(stats, 0.025), upper: quantileSorted(stats, 0.975) };
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
 * Wilson interval for a weighted proportion p̂ at the Kish effective sample size (the usual survey
 * adjustment: the design effect of unequal weights shrinks n). With equal weights it is Wilson's interval.
 */
export function wilsonEffective(p: number, nEff: number, z = Z_95): IntervalValue {
  const z2 = z * z;
  const denom = 1 + z2 / nEff;
  const center = (p + z2 / (2 * nEff)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / nEff + z2 / (4 * nEff * nEff));
  return { estimate: p, lower: Math.max(0, center - half), upper: Math.min(1, center + half) };
}
