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

/** Squared difference δ²(c, k) between value indices c and k for a measurement level. */
function distanceMatrix(level: MeasurementLevel, values: number[], marginals: number[]): number[][] {
  const k = values.length;
  const delta = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let c = 0; c < k; c++) {
    for (let d = 0; d < k; d++) {
      if (c === d) continue;
      const vc = values[c]!;
      const vd = values[d]!;
      let dist: number;
      switch (level) {
        case "nominal":
          dist = 1;
          break;
        case "ordinal": {
          // δ²_ck = (Σ_{g=c}^{k} n_g − (n_c + n_k)/2)², over ranks between c and k (Krippendorff 2011, eq. for ordinal).
          const lo = Math.min(c, d);
          const hi = Math.max(c, d);
          let s = 0;
          for (let g = lo; g <= hi; g++) s += marginals[g]!;
          s -= (marginals[lo]! + marginals[hi]!) / 2;
          dist = s * s;
          break;
        }
        case "interval":
          dist = (vc - vd) ** 2;
          break;
        case "ratio":
          // δ²_ck = ((c − k)/(c + k))²; defined as 0 when both are 0.
          dist = vc + vd === 0 ? 0 : ((vc - vd) / (vc + vd)) ** 2;
          break;
      }
      delta[c]![d] = dist;
    }
  }
  return delta;
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
 * α from a (possibly weighted, possibly summed over resamples) coincidence matrix. Lets callers that
 * aggregate per-unit coincidences themselves (the report's bootstrap) reuse the same formula.
 */
export function krippendorffAlphaFromCoincidences(m: CoincidenceMatrix, level: MeasurementLevel): number {
  const { values, o, marginals, n } = m;
  if (values.length === 0 || n <= 1) return Number.NaN;
  const delta = distanceMatrix(level, values, marginals);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < values.length; c++) {
    for (let d = 0; d < values.length; d++) {
      const dd = delta[c]![d]!;
      observed += o[c]![d]! * dd;
      expected += marginals[c]! * marginals[d]! * dd;
    }
  }
  if (expected === 0) return Number.NaN;
  // α = 1 − (n − 1) Σ o δ² / Σ n_c n_k δ²
  return 1 - ((n - 1) * observed) / expected;
}
