import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StatsInputError, coincidenceMatrix, krippendorffAlpha, type MeasurementLevel } from "@/lib/stats";
import { expectSame, permutation, permute } from "./helpers";

const LEVELS: MeasurementLevel[] = ["nominal", "ordinal", "interval", "ratio"];

// raters × units with values 0..5 and some missing cells
const ratings = fc
  .tuple(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: 12 }))
  .chain(([r, u]) =>
    fc.array(fc.array(fc.option(fc.integer({ min: 0, max: 5 }), { freq: 4, nil: null }), { minLength: u, maxLength: u }), {
      minLength: r,
      maxLength: r,
    }),
  );

describe("krippendorffAlpha", () => {
  it("builds the coincidence matrix of Krippendorff (2011) and drops units with < 2 values", () => {
    const data = [
      [1, 2, null, 3],
      [1, 3, 2, null],
    ];
    const m = coincidenceMatrix(data);
    expect(m.values).toEqual([1, 2, 3]);
    expect(m.n).toBe(4); // two pairable units × two values
    expect(m.o).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it("is 1 for perfect agreement with at least two distinct values, at every level", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 2, maxLength: 15 }),
        fc.integer({ min: 2, max: 5 }),
        fc.array(fc.boolean(), { minLength: 75, maxLength: 75 }),
        (units, raters, missing) => {
          // each unit keeps its first two raters; later raters may be missing
          const data = Array.from({ length: raters }, (_, r) =>
            units.map((v, u) => (r >= 2 && missing[(r * 15 + u) % 75] ? null : v)),
          );
          fc.pre(new Set(units).size >= 2);
          for (const level of LEVELS) expectSame(krippendorffAlpha(data, level), 1, 1e-12);
        },
      ),
    );
  });

  it("is NaN when there is no variation or nothing is pairable", () => {
    expect(krippendorffAlpha([[2, 2, 2], [2, 2, 2]], "nominal")).toBeNaN();
    expect(krippendorffAlpha([[1, null], [null, 2]], "interval")).toBeNaN();
  });

  it("does not depend on the order of units or raters", () => {
    fc.assert(
      fc.property(ratings, fc.integer(), (data, seed) => {
        const units = permutation(data[0]!.length, seed);
        const raters = permutation(data.length, seed + 1);
        const shuffled = permute(data, raters).map((row) => permute(row, units));
        for (const level of LEVELS) expectSame(krippendorffAlpha(shuffled, level), krippendorffAlpha(data, level), 1e-9);
      }),
    );
  });

  it("is at most 1", () => {
    fc.assert(
      fc.property(ratings, (data) => {
        for (const level of LEVELS) {
          const a = krippendorffAlpha(data, level);
          if (!Number.isNaN(a)) expect(a).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
    );
  });

  it("with integer unit weights equals repeating the units", () => {
    fc.assert(
      fc.property(ratings, fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }), (data, w) => {
        const weights = data[0]!.map((_, u) => w[u]!);
        const repeated = data.map((row) => row.flatMap((v, u) => new Array<number | null>(weights[u]!).fill(v)));
        for (const level of LEVELS) {
          const weighted = krippendorffAlpha(data, level, { unitWeights: weights });
          const plain = repeated[0]!.length === 0 ? Number.NaN : krippendorffAlpha(repeated, level);
          expectSame(weighted, plain, 1e-9);
        }
      }),
    );
  });

  it("with all weights 1 equals the unweighted alpha", () => {
    fc.assert(
      fc.property(ratings, (data) => {
        const ones = data[0]!.map(() => 1);
        for (const level of LEVELS) {
          expectSame(krippendorffAlpha(data, level, { unitWeights: ones }), krippendorffAlpha(data, level), 1e-12);
        }
      }),
    );
  });

  it("rejects ragged input, negative ratio values and bad weights", () => {
    expect(() => krippendorffAlpha([[1, 2], [1]], "nominal")).toThrow(StatsInputError);
    expect(() => krippendorffAlpha([[-1, 2], [1, 2]], "ratio")).toThrow(RangeError);
    expect(() => krippendorffAlpha([[1, 2], [1, 2]], "nominal", { unitWeights: [1, -1] })).toThrow(StatsInputError);
    expect(() => krippendorffAlpha([], "nominal")).toThrow(StatsInputError);
  });
});
