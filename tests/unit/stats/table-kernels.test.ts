// The flat-table kernels the report's bootstrap calls, checked against the textbook definitions written out
// independently here (pairs of items, pairs of values) and against lib/stats' array entry points.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  alphaFromFlat,
  averageRanks,
  cohenKappa,
  kappaFromFlat,
  krippendorffAlpha,
  pearsonR,
  spearmanFromFlat,
  spearmanFromTable,
  spearmanRho,
  unitCoincidences,
  type KappaWeights,
  type MeasurementLevel,
} from "@/lib/stats";
import { expectSame } from "./helpers";

const WEIGHTS: KappaWeights[] = ["unweighted", "linear", "quadratic"];
const LEVELS: MeasurementLevel[] = ["nominal", "ordinal", "interval", "ratio"];
const K = 5;
const scale5 = [0, 1, 2, 3, 4];

const pairs = fc.array(fc.tuple(fc.integer({ min: 0, max: K - 1 }), fc.integer({ min: 0, max: K - 1 })), { minLength: 1, maxLength: 40 });

function flatOf(xs: readonly (readonly [number, number])[], k = K): Float64Array {
  const flat = new Float64Array(k * k);
  for (const [a, b] of xs) flat[a * k + b]! += 1;
  return flat;
}

/** κ_w = 1 − mean over items of w(a_i, b_i) / mean over all item pairs (i, j) of w(a_i, b_j) (Cohen 1968). */
function referenceKappa(xs: readonly (readonly [number, number])[], k: number, weights: KappaWeights): number {
  const w = (i: number, j: number) => {
    if (i === j) return 0;
    if (weights === "unweighted") return 1;
    const d = Math.abs(i - j) / (k - 1);
    return weights === "linear" ? d : d * d;
  };
  const observed = xs.reduce((s, [a, b]) => s + w(a, b), 0) / xs.length;
  let expected = 0;
  for (const [a] of xs) for (const [, b] of xs) expected += w(a, b);
  expected /= xs.length * xs.length;
  return expected === 0 ? Number.NaN : 1 - observed / expected;
}

/**
 * α from its definition on values (Krippendorff 2011): D_o averages δ² over ordered pairs of values within a
 * unit, each unit's pairs weighted 1/(m_u − 1); D_e over all ordered pairs of pairable values.
 */
function referenceAlpha(units: readonly (readonly number[])[], level: "nominal" | "interval"): number {
  const delta = (a: number, b: number) => (level === "nominal" ? (a === b ? 0 : 1) : (a - b) ** 2);
  const pairable = units.filter((u) => u.length >= 2);
  const values = pairable.flat();
  const n = values.length;
  let dO = 0;
  for (const u of pairable) {
    for (let i = 0; i < u.length; i++) for (let j = 0; j < u.length; j++) if (i !== j) dO += delta(u[i]!, u[j]!) / (u.length - 1);
  }
  let dE = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) dE += delta(values[i]!, values[j]!);
  if (n <= 1 || dE === 0) return Number.NaN;
  return 1 - (dO / n) / (dE / (n * (n - 1)));
}

describe("kappaFromFlat", () => {
  it("is 1 for a diagonal table with two or more categories, whatever the weights", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 100, noNaN: true })), { minLength: K, maxLength: K }), (diag) => {
        fc.pre(diag.filter((x) => x > 0).length >= 2);
        const flat = new Float64Array(K * K);
        diag.forEach((x, i) => (flat[i * K + i] = x));
        for (const w of WEIGHTS) expectSame(kappaFromFlat(flat, K, w), 1, 1e-12);
      }),
    );
  });

  it("equals Cohen's weighted κ from its definition on the pairs, and is symmetric", () => {
    fc.assert(
      fc.property(pairs, (xs) => {
        const flat = flatOf(xs);
        const transposed = flatOf(xs.map(([a, b]) => [b, a] as const));
        for (const w of WEIGHTS) {
          expectSame(kappaFromFlat(flat, K, w), referenceKappa(xs, K, w), 1e-12);
          expectSame(kappaFromFlat(transposed, K, w), kappaFromFlat(flat, K, w), 1e-12);
          expectSame(cohenKappa(xs.map((p) => p[0]), xs.map((p) => p[1]), w, [0, 1, 2, 3, 4]), kappaFromFlat(flat, K, w), 1e-12);
        }
      }),
    );
  });

  it("weights a one-step disagreement ½ on three categories (linear)", () => {
    // 3 × 3, observed disagreements (0,1) and (1,2): linear weights ½ each.
    const flat = Float64Array.from([4, 1, 0, 0, 4, 1, 0, 0, 4]);
    const rows = [5, 5, 4];
    const cols = [4, 5, 5];
    const w = (i: number, j: number) => Math.abs(i - j) / 2;
    let expected = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expected += (w(i, j) * rows[i]! * cols[j]!) / 14;
    expect(kappaFromFlat(flat, 3, "linear")).toBeCloseTo(1 - 1 / expected, 14);
  });

  it("is NaN for an empty table or no expected disagreement", () => {
    for (const w of WEIGHTS) {
      expect(kappaFromFlat(new Float64Array(9), 3, w)).toBeNaN();
      expect(kappaFromFlat(Float64Array.from([0, 0, 0, 0, 7, 0, 0, 0, 0]), 3, w)).toBeNaN();
    }
  });
});

describe("alphaFromFlat and unitCoincidences", () => {
  const units = fc.array(fc.tuple(fc.array(fc.integer({ min: 1, max: K }), { minLength: 1, maxLength: 4 }), fc.constantFrom(1, 2, 10)), {
    minLength: 2,
    maxLength: 30,
  });
  const sumCoincidences = (us: readonly (readonly [readonly number[], number])[]) => {
    const flat = new Float64Array(K * K);
    for (const [vals, w] of us) {
      if (vals.length < 2) continue;
      const c = unitCoincidences(vals.map((v) => v - 1), K);
      c.cells.forEach((cell, i) => (flat[cell]! += w * c.amounts[i]!));
    }
    return flat;
  };
  const scale = [1, 2, 3, 4, 5];

  it("matches krippendorffAlpha on random weighted reliability data at every level", () => {
    fc.assert(
      fc.property(units, (us) => {
        const matrix = Array.from({ length: 4 }, (_, r) => us.map(([vals]) => vals[r] ?? null));
        const flat = sumCoincidences(us);
        for (const level of LEVELS) {
          expectSame(alphaFromFlat(flat, scale, level), krippendorffAlpha(matrix, level, { unitWeights: us.map(([, w]) => w) }), 1e-9);
        }
      }),
    );
  });

  it("equals α from its definition on pairs of values (nominal and interval)", () => {
    fc.assert(
      fc.property(units, (us) => {
        const flat = sumCoincidences(us.map(([vals]) => [vals, 1] as const));
        for (const level of ["nominal", "interval"] as const) {
          expectSame(alphaFromFlat(flat, scale, level), referenceAlpha(us.map(([vals]) => vals), level), 1e-9);
        }
      }),
    );
  });

  it("gives each unit m values in total and identical cells to identical multisets", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: K - 1 }), { minLength: 2, maxLength: 8 }), (codes) => {
        const c = unitCoincidences(codes, K);
        expect(c.amounts.reduce((s, a) => s + a, 0)).toBeCloseTo(codes.length, 12);
        expect(unitCoincidences([...codes].reverse(), K)).toEqual(c);
      }),
    );
  });

  it("is NaN with at most one pairable value or no variation", () => {
    expect(alphaFromFlat(new Float64Array(4), [1, 2], "nominal")).toBeNaN();
    expect(alphaFromFlat(Float64Array.from([6, 0, 0, 0]), [1, 2], "interval")).toBeNaN();
  });
});

describe("spearmanFromFlat", () => {
  it("equals Pearson's r of average ranks on the pairs a table of counts holds", () => {
    fc.assert(
      fc.property(pairs, (xs) => {
        const a = xs.map((p) => p[0]);
        const b = xs.map((p) => p[1]);
        const expected = new Set(a).size < 2 || new Set(b).size < 2 ? Number.NaN : pearsonR(averageRanks(a), averageRanks(b));
        expectSame(spearmanFromFlat(flatOf(xs), scale5, scale5), expected, 1e-12);
        expectSame(spearmanRho(a, b), expected, 1e-12);
      }),
    );
  });

  it("with integer weights equals repeating the pairs", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 20 }), (rows) => {
        const weighted = new Float64Array(25);
        for (const [a, b, w] of rows) weighted[a * 5 + b]! += w;
        const repeated = rows.flatMap(([a, b, w]) => new Array<[number, number]>(w).fill([a, b]));
        const table = Array.from({ length: 5 }, (_, i) => Array.from(weighted.subarray(i * 5, i * 5 + 5)));
        expectSame(spearmanFromTable(table, scale5, scale5), spearmanFromFlat(flatOf(repeated), scale5, scale5), 1e-12);
      }),
    );
  });

  it("is NaN when a margin has one value, even with weights that do not sum exactly", () => {
    const flat = new Float64Array(25);
    flat[2 * 5 + 0] = 0.1;
    flat[2 * 5 + 3] = 0.2;
    flat[2 * 5 + 4] = 0.7;
    expect(spearmanFromFlat(flat, scale5, scale5)).toBeNaN();
    expect(spearmanFromFlat(new Float64Array(25), scale5, scale5)).toBeNaN();
  });
});
