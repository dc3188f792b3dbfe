/**
 * Statistics of small sufficient tables, so a bootstrap resample costs O(distinct unit types), not O(units).
 * On a discrete scale, Cohen's κ and Spearman's ρ are functions of the (weighted) judge × consensus table and
 * Krippendorff's α of the (weighted) coincidence matrix.
 */
import { Z_95, createRng, krippendorffAlphaFromCoincidences, quantileSorted, type MeasurementLevel, type Rng } from "@/lib/stats";
import type { IntervalValue } from "./types";

/** Weighted Spearman ρ from an r × c table of weights with row and column scale values (midranks). */
export function spearmanFromTable(table: readonly (readonly number[])[], rowValues: readonly number[], colValues: readonly number[]): number {
  return spearmanFromFlat(Float64Array.from(table.flat()), rowValues, colValues);
}

/** The same from a flat row-major table; allocation-light, as the bootstrap calls it thousands of times. */
export function spearmanFromFlat(flat: Float64Array, rowValues: readonly number[], colValues: readonly number[]): number {
  const r = rowValues.length;
  const c = colValues.length;
  const rowW = new Float64Array(r);
  const colW = new Float64Array(c);
  let total = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const x = flat[i * c + j]!;
      rowW[i]! += x;
      colW[j]! += x;
      total += x;
    }
  }
  if (total <= 0) return Number.NaN;
  // Midrank of a scale point: weight strictly below it plus half its own weight (the +½ of unweighted
  // midranks shifts every rank equally and leaves Pearson's r unchanged). Scale values are ascending.
  const midranks = (w: Float64Array) => {
    const out = new Float64Array(w.length);
    let below = 0;
    for (let i = 0; i < w.length; i++) {
      out[i] = below + w[i]! / 2;
      below += w[i]!;
    }
    return out;
  };
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
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Per-unit coincidences (Krippendorff 2011): ordered pairs of values from different raters / (m − 1). */
export function unitCoincidences(codes: readonly number[], k: number): { cells: number[]; amounts: number[] } {
  const m = codes.length;
  const counts = new Map<number, number>();
  // Sorted first, so units with the same multiset of ratings produce identical cells (one bootstrap type).
  for (const c of [...codes].sort((x, y) => x - y)) counts.set(c, (counts.get(c) ?? 0) + 1);
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

/**
 * α from a flat k × k coincidence array over ascending scale values, without allocation (the bootstrap calls
 * it thousands of times): α = 1 − (n − 1) Σ o_cd δ²_cd / Σ n_c n_d δ²_cd (Krippendorff 2011). Values with no
 * coincidences add nothing to any sum, so the whole scale can stay in the table. Ratio falls back to lib/stats.
 */
export function alphaFromFlat(flat: Float64Array, scale: readonly number[], level: MeasurementLevel): number {
  const k = scale.length;
  const marg = new Float64Array(k);
  let n = 0;
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) marg[c]! += flat[c * k + d]!;
    n += marg[c]!;
  }
  if (n <= 1) return Number.NaN;
  if (level === "ratio") {
    const keep = [...marg.keys()].filter((c) => marg[c]! > 0);
    const o = keep.map((c) => keep.map((d) => flat[c * k + d]!));
    return krippendorffAlphaFromCoincidences({ values: keep.map((c) => scale[c]!), o, marginals: keep.map((c) => marg[c]!), n }, level);
  }
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    if (marg[c] === 0) continue;
    let between = 0; // Σ n_g for g from c to d (ordinal)
    for (let d = c + 1; d < k; d++) {
      between += marg[d - 1]!;
      if (marg[d] === 0) continue;
      let delta: number;
      if (level === "nominal") delta = 1;
      else if (level === "interval") delta = (scale[c]! - scale[d]!) ** 2;
      else delta = (between + marg[d]! - (marg[c]! + marg[d]!) / 2) ** 2;
      // δ is symmetric: count (c, d) and (d, c) together.
      observed += (flat[c * k + d]! + flat[d * k + c]!) * delta;
      expected += 2 * marg[c]! * marg[d]! * delta;
    }
  }
  if (expected === 0) return Number.NaN;
  return 1 - ((n - 1) * observed) / expected;
}

/** A class of identical units: how many there are and what each adds to the table (sparse). */
export type UnitType = { count: number; cells: number[]; amounts: number[] };

/** Group units with identical contributions, so resampling draws one count per type. */
export function typeUnits(units: readonly { cells: number[]; amounts: number[] }[]): UnitType[] {
  return typeUnitsBy(units, (u) => `${u.cells.join(",")}|${u.amounts.join(",")}`, (u) => u);
}

/**
 * The same without building every unit's contribution: `key` names the type (e.g. sorted ratings and weight)
 * and `contribution` is computed once per type.
 */
export function typeUnitsBy<U, K extends string | number>(units: readonly U[], key: (u: U) => K, contribution: (u: U) => { cells: number[]; amounts: number[] }): UnitType[] {
  const byKey = new Map<K, UnitType>();
  for (const u of units) {
    const k = key(u);
    const t = byKey.get(k);
    if (t) t.count += 1;
    else byKey.set(k, { count: 1, ...contribution(u) });
  }
  return [...byKey.values()];
}

const LOGGAM_COEF = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** log Γ(x) for x ≥ 1 by the Stirling series (as NumPy's random_loggam). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const shift = x < 7 ? Math.floor(7 - x) : 0;
  let x0 = x + shift;
  const x2 = 1 / (x0 * x0);
  let g = LOGGAM_COEF[9]!;
  for (let k = 8; k >= 0; k--) g = g * x2 + LOGGAM_COEF[k]!;
  let gl = g / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= shift; k++) {
    gl -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return gl;
}

/**
 * Exact Poisson(λ) draw: inversion for λ < 10 (pass e^{−λ}, computed once per unit type) and, above, the
 * transformed rejection method PTRS (W. Hörmann, "The transformed rejection method for generating Poisson
 * random variables", Insurance: Mathematics and Economics 12, 1993), O(1) whatever λ is.
 */
export function poissonDraw(lambda: number, expMinusLambda: number, rng: Rng): number {
  if (lambda < 10) {
    const u = rng.next();
    let k = 0;
    let p = expMinusLambda;
    let cdf = p;
    while (u > cdf && k < 1000) {
      k++;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) return k;
  }
}

/**
 * Poisson bootstrap of statistics of a summed table (Hanley & MacGibbon 2006; Chamandy et al. 2012): each
 * unit appears Poisson(1) times per resample, so a type of c identical units appears Poisson(c) times. For
 * large n this matches the multinomial bootstrap and costs O(types) per resample, whatever n is. Several
 * statistics share the same resamples. Seeded; percentile 95% intervals; null where the statistic is
 * undefined on the data or on most resamples.
 */
export function tableBootstrapMany(
  types: readonly UnitType[],
  size: number,
  stats: readonly ((flat: Float64Array) => number)[],
  options: { resamples: number; seed: number },
): (IntervalValue | null)[] {
  const full = new Float64Array(size);
  for (const t of types) for (let i = 0; i < t.cells.length; i++) full[t.cells[i]!]! += t.count * t.amounts[i]!;
  const estimates = stats.map((f) => f(full));
  const rng = createRng(options.seed);
  const draws = stats.map(() => [] as number[]);
  const flat = new Float64Array(size);
  const expMinus = types.map((t) => Math.exp(-t.count));
  for (let b = 0; b < options.resamples; b++) {
    flat.fill(0);
    for (let ti = 0; ti < types.length; ti++) {
      const t = types[ti]!;
      const times = poissonDraw(t.count, expMinus[ti]!, rng);
      if (times === 0) continue;
      for (let i = 0; i < t.cells.length; i++) flat[t.cells[i]!]! += times * t.amounts[i]!;
    }
    stats.forEach((f, si) => {
      if (!Number.isFinite(estimates[si]!)) return;
      const s = f(flat);
      if (Number.isFinite(s)) draws[si]!.push(s);
    });
  }
  return estimates.map((estimate, si) => {
    const xs = draws[si]!.sort((a, b) => a - b);
    // Too few resamples with a defined statistic (e.g. no variation): no honest interval.
    if (!Number.isFinite(estimate) || xs.length < options.resamples / 2) return null;
    return { estimate, lower: quantileSorted(xs, 0.025), upper: quantileSorted(xs, 0.975) };
  });
}

export function tableBootstrap(
  types: readonly UnitType[],
  size: number,
  stat: (flat: Float64Array) => number,
  options: { resamples: number; seed: number },
): IntervalValue | null {
  return tableBootstrapMany(types, size, [stat], options)[0]!;
}

/**
 * Cohen's κ straight from a flat k × k table (judge rows, consensus columns), no allocation: the bootstrap
 * calls it thousands of times. Same formula as cohenKappaFromTable (weights by category index).
 */
export function kappaFromFlat(flat: Float64Array, k: number, weights: "quadratic" | "unweighted"): number {
  const rows = new Float64Array(k);
  const cols = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const x = flat[i * k + j]!;
      rows[i]! += x;
      cols[j]! += x;
      total += x;
    }
  }
  if (total === 0) return Number.NaN;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const w = weights === "unweighted" ? 1 : ((i - j) / (k - 1)) ** 2;
      observed += w * flat[i * k + j]!;
      expected += (w * rows[i]! * cols[j]!) / total;
    }
  }
  if (expected === 0) return Number.NaN;
  return 1 - observed / expected;
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
