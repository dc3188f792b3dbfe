import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  StatsInputError,
  cohenKappa,
  cohenKappaFromTable,
  contingencyTable,
  fleissCountsFromRatings,
  fleissKappa,
  fleissKappaFromRatings,
  type KappaWeights,
} from "@/lib/stats";
import { expectSame, permutation, permute } from "./helpers";

const WEIGHTS: KappaWeights[] = ["unweighted", "linear", "quadratic"];
const pairs = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 1, max: 5 }), { minLength: n, maxLength: n }),
    ),
  );

describe("cohenKappa", () => {
  it("is symmetric in its two raters", () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        for (const w of WEIGHTS) expectSame(cohenKappa(a, b, w), cohenKappa(b, a, w), 1e-12);
      }),
    );
  });

  it("is 1 for identical labels with at least two categories", () => {
    fc.assert(
      fc.property(pairs, ([a]) => {
        fc.pre(new Set(a).size >= 2);
        for (const w of WEIGHTS) expectSame(cohenKappa(a, a, w), 1, 1e-12);
      }),
    );
  });

  it("does not depend on item order", () => {
    fc.assert(
      fc.property(pairs, fc.integer(), ([a, b], seed) => {
        const p = permutation(a.length, seed);
        for (const w of WEIGHTS) expectSame(cohenKappa(permute(a, p), permute(b, p), w), cohenKappa(a, b, w), 1e-12);
      }),
    );
  });

  it("weights on the index of categories that occur unless the scale is given", () => {
    const a = [1, 2, 6, 6, 1];
    const b = [1, 6, 2, 6, 2];
    // occurring categories {1, 2, 6}: 2 and 6 are adjacent, so linear weight |1−2|/2
    const t = contingencyTable(a, b);
    expect(t).toEqual([
      [1, 1, 0],
      [0, 0, 1],
      [0, 1, 1],
    ]);
    expect(cohenKappa(a, b, "linear")).toBeCloseTo(cohenKappaFromTable(t, "linear"), 12);
    const fullScale = cohenKappa(a, b, "linear", [1, 2, 3, 4, 5, 6]);
    expect(fullScale).not.toBeCloseTo(cohenKappa(a, b, "linear"), 3);
  });

  it("accepts string labels and weighted tables", () => {
    expect(cohenKappa(["yes", "no", "yes"], ["yes", "no", "no"])).toBeCloseTo(0.4, 12);
    const weighted = contingencyTable([0, 1, 1], [0, 1, 0], [0, 1], [2, 1, 1]);
    expect(weighted).toEqual([
      [2, 0],
      [1, 1],
    ]);
  });

  it("is NaN when expected disagreement is zero", () => {
    expect(cohenKappa([1, 1, 1], [1, 1, 1])).toBeNaN();
  });

  it("rejects mismatched, empty and unknown-category input", () => {
    expect(() => cohenKappa([1, 2], [1])).toThrow(StatsInputError);
    expect(() => cohenKappa([], [])).toThrow(StatsInputError);
    expect(() => cohenKappa([1, 7], [1, 2], "linear", [1, 2, 3])).toThrow(StatsInputError);
    expect(() => cohenKappaFromTable([[1, 2]], "linear")).toThrow(StatsInputError);
  });
});

describe("fleissKappa", () => {
  it("builds counts from a raters × units matrix and matches fleissKappa", () => {
    const data = [
      ["a", "b", "a", null],
      ["a", "b", "b", "a"],
      ["a", "a", "b", "a"],
    ];
    const { categories, counts } = fleissCountsFromRatings(data);
    expect(categories).toEqual(["a", "b"]);
    expect(counts).toEqual([
      [3, 0],
      [1, 2],
      [1, 2],
      [2, 0],
    ]);
    expect(fleissKappaFromRatings(data)).toBeCloseTo(fleissKappa(counts), 14);
  });

  it("is 1 for unanimous units with two or more categories and invariant to unit order", () => {
    expect(fleissKappa([[3, 0], [0, 3], [3, 0]])).toBeCloseTo(1, 14);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 }),
        fc.integer(),
        (counts, seed) => {
          const shuffled = permute(counts, permutation(counts.length, seed));
          expectSame(fleissKappa(shuffled), fleissKappa(counts), 1e-12);
        },
      ),
    );
  });

  it("with two raters equals Scott's pi", () => {
    // Two raters: Fleiss' kappa reduces to Scott's π = (p_o − p_e)/(1 − p_e) with pooled marginals.
    const a = [1, 1, 2, 2, 1, 2, 1, 1];
    const b = [1, 2, 2, 2, 1, 1, 1, 1];
    const po = a.filter((x, i) => x === b[i]).length / a.length;
    const pooled1 = (a.filter((x) => x === 1).length + b.filter((x) => x === 1).length) / 16;
    const pe = pooled1 ** 2 + (1 - pooled1) ** 2;
    expect(fleissKappaFromRatings([a, b])).toBeCloseTo((po - pe) / (1 - pe), 12);
  });

  it("drops units with fewer than two ratings and rejects bad counts", () => {
    expect(fleissKappa([[1, 0], [2, 0], [0, 2]])).toBeCloseTo(fleissKappa([[2, 0], [0, 2]]), 14);
    expect(fleissKappa([[1, 0]])).toBeNaN();
    expect(() => fleissKappa([[1.5, 2]])).toThrow(StatsInputError);
    expect(() => fleissKappa([[1, 2], [1]])).toThrow(StatsInputError);
  });
});
