/**
 * Krippendorff's alpha via the coincidence matrix
 * (K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011).
 */
import { StatsInputError, assertFinite } from "./errors";

export type MeasurementLevel = "nominal" | "ordinal" | "interval" | "ratio";

export interface KrippendorffOptions {
  /**
   * Optional non-negative weight per unit (e.g. inverse inclusion probabilities 1/π).
   * Each unit's coincidences are multiplied by its weight; all weights 1 gives the
   * textbook alpha. With weights, n is the weighted number of pairable values, so weights must be
   * on the count scale (like 1/π ≥ 1), not normalised to sum to 1.
   */
  unitWeights?: readonly number[];
}

export interface CoincidenceMatrix {
  /** Distinct values that occur in pairable units, ascending. */
  values: number[];
  /** o[c][k]: coincidences of value c with value k (symmetric). */
  o: number[][];
  /** n_c = Σ_k o[c][k]: marginal of each value. */
  marginals: number[];
  /** n = Σ_c n_c: (weighted) number of pairable values. */
  n: number;
}

/**
 * Coincidence matrix of a raters × units matrix (null = missing). Units with fewer than two
 * values are not pairable and are dropped.
 */
export function coincidenceMatrix(
  data: readonly (readonly (number | null)[])[],
  options: KrippendorffOptions = {},
): CoincidenceMatrix {
  if (data.length === 0) throw new StatsInputError("krippendorffAlpha: no raters");
  const nUnits = data[0]!.length;
  for (const row of data) {
    if (row.length !== nUnits) throw new StatsInputError("krippendorffAlpha: raters have different numbers of units");
  }
  const { unitWeights } = options;
  if (unitWeights) {
    if (unitWeights.length !== nUnits) throw new StatsInputError("krippendorffAlpha: unitWeights length differs from units");
    assertFinite("krippendorffAlpha unitWeights", unitWeights);
    if (unitWeights.some((w) => w < 0)) throw new StatsInputError("krippendorffAlpha: negative unit weight");
  }

  const units: number[][] = [];
  const unitW: number[] = [];
  const seen = new Set<number>();
  for (let u = 0; u < nUnits; u++) {
    const vals: number[] = [];
    for (const row of data) {
      const v = row[u];
      if (v === null || v === undefined) continue;
      if (!Number.isFinite(v)) throw new StatsInputError(`krippendorffAlpha: non-finite value at unit ${u}`);
      vals.push(v);
    }
    if (vals.length < 2) continue;
    units.push(vals);
    unitW.push(unitWeights ? unitWeights[u]! : 1);
    for (const v of vals) seen.add(v);
  }

  const values = [...seen].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const k = values.length;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  // o_ck = Σ_u w_u · (number of ordered c–k pairs from different raters in u) / (m_u − 1).
  units.forEach((vals, ui) => {
    const m = vals.length;
    const counts = new Array<number>(k).fill(0);
    for (const v of vals) counts[index.get(v)!]! += 1;
    const scale = unitW[ui]! / (m - 1);
    for (let c = 0; c < k; c++) {
      const nc = counts[c]!;
      if (nc === 0) continue;
      for (let d = 0; d < k; d++) {
        const nd = counts[d]!;
        if (nd === 0) continue;
        o[c]![d]! += scale * (c === d ? nc * (nc - 1) : nc * nd);
      }
    }
  });
  const marginals = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = marginals.reduce((s, x) => s + x, 0);
  return { values, o, marginals, n };
}

/**
 * Krippendorff's alpha for a raters × units matrix (null = missing).
 * α = 1 − D_o/D_e with D_o = Σ o_ck δ²_ck / n and D_e = Σ n_c n_k δ²_ck / (n(n − 1)).
 * Returns NaN when fewer than two pairable values exist or there is no variation (D_e = 0).
 */
export function krippendorffAlpha(
  data: readonly (readonly (number | null)[])[],
  level: MeasurementLevel,
  options: KrippendorffOptions = {},
): number {
  if (level === "ratio") {
    for (const row of data) {
      for (const v of row) {
        if (v !== null && v < 0) throw new StatsInputError("krippendorffAlpha: ratio level needs non-negative values");
      }
    }
  }
  return krippendorffAlphaFromCoincidences(coincidenceMatrix(data, options), level);
}

/**
 * α from a (possibly weighted, possibly summed over resamples) coincidence matrix, read through alphaFromFlat.
 * `values` must be ascending, as coincidenceMatrix returns them; the marginals are o's row sums.
 */
export function krippendorffAlphaFromCoincidences(m: CoincidenceMatrix, level: MeasurementLevel): number {
  if (m.values.length === 0) return Number.NaN;
  return alphaFromFlat(Float64Array.from(m.o.flat()), m.values, level);
}

/**
 * One unit's coincidences (Krippendorff 2011) on a scale of k values: for each ordered pair of values (c, d)
 * from different raters, pairs / (m − 1), as sparse cells c·k + d of a flat k × k matrix. `codes` are the
 * scale indices of the unit's m ≥ 2 ratings. Summing units' cells (times their weights) gives the weighted
 * coincidence matrix that alphaFromFlat reads.
 */
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
 * Krippendorff's α from a flat row-major k × k coincidence matrix over ascending scale values, the one
 * implementation behind every α here: α = 1 − (n − 1) Σ o_cd δ²_cd / Σ n_c n_d δ²_cd (Krippendorff 2011), with
 * n_c the row sums and n their total. Values with no coincidences add nothing to any sum, so a whole scale can
 * stay in the table. No allocation beyond the marginals: the report's bootstrap calls it thousands of times.
 * NaN when n ≤ 1 or there is no expected disagreement.
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
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < k; c++) {
    if (marg[c] === 0) continue;
    let between = 0; // Σ n_g for g from c to d − 1 (ordinal)
    for (let d = c + 1; d < k; d++) {
      between += marg[d - 1]!;
      if (marg[d] === 0) continue;
      const vc = scale[c]!;
      const vd = scale[d]!;
      let delta: number;
      if (level === "nominal") delta = 1;
      else if (level === "interval") delta = (vc - vd) ** 2;
      // δ²_cd = (Σ_{g=c}^{d} n_g − (n_c + n_d)/2)² over the ranks from c to d.
      else if (level === "ordinal") delta = (between + marg[d]! - (marg[c]! + marg[d]!) / 2) ** 2;
      // δ²_cd = ((c − d)/(c + d))², 0 when both are 0.
      else delta = vc + vd === 0 ? 0 : ((vc - vd) / (vc + vd)) ** 2;
      // δ is symmetric: count (c, d) and (d, c) together.
      observed += (flat[c * k + d]! + flat[d * k + c]!) * delta;
      expected += 2 * marg[c]! * marg[d]! * delta;
    }
  }
  if (expected === 0) return Number.NaN;
  return 1 - ((n - 1) * observed) / expected;
}
