import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StatsInputError, averageRanks, exactAgreement, meanSignedDifference, pearsonR, spearmanRho } from "@/lib/stats";
import { expectSame, permutation, permute } from "./helpers";

const pairs = fc
  .integer({ min: 2, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
    ),
  );

describe("spearmanRho", () => {
  it("averages tied ranks (scipy.stats.rankdata)", () => {
    expect(averageRanks([3, 1, 4, 1, 5, 9, 2, 6, 5])).toEqual([4, 1.5, 5, 1.5, 6.5, 9, 3, 8, 6.5]);
  });

  it("matches scipy.stats.spearmanr on tied data", () => {
    expect(spearmanRho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7])).toBeCloseTo(0.8207826816681233, 12);
    expect(spearmanRho([10, 20, 20, 30, 40, 40, 40], [1, 3, 2, 2, 5, 4, 4])).toBeCloseTo(0.8860760232362958, 12);
  });

  it("is symmetric, within [−1, 1], invariant to row order and to monotone transforms", () => {
    fc.assert(
      fc.property(pairs, fc.integer(), ([x, y], seed) => {
        const rho = spearmanRho(x, y);
        expectSame(spearmanRho(y, x), rho, 1e-12);
        const p = permutation(x.length, seed);
        expectSame(spearmanRho(permute(x, p), permute(y, p)), rho, 1e-12);
        expectSame(spearmanRho(x.map((v) => Math.exp(v)), y), rho, 1e-12);
        if (!Number.isNaN(rho)) {
          expect(rho).toBeGreaterThanOrEqual(-1 - 1e-12);
          expect(rho).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
    );
  });

  it("is NaN for a constant variable and ±1 for monotone data", () => {
    expect(spearmanRho([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(spearmanRho([1, 2, 3, 4], [10, 20, 30, 1000])).toBeCloseTo(1, 14);
    expect(spearmanRho([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 14);
    expect(pearsonR([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 14);
  });
});

describe("exactAgreement and meanSignedDifference", () => {
  it("count identical pairs and average judge − human", () => {
    expect(exactAgreement([1, 2, 3, 4], [1, 2, 0, 0])).toBe(0.5);
    expect(exactAgreement(["a", "b"], ["a", "b"])).toBe(1);
    expect(meanSignedDifference([3, 4, 5], [2, 4, 3])).toBe(1);
  });

  it("reject mismatched or empty input", () => {
    expect(() => exactAgreement([1], [1, 2])).toThrow(StatsInputError);
    expect(() => meanSignedDifference([], [])).toThrow(StatsInputError);
    expect(() => meanSignedDifference([Number.NaN], [1])).toThrow(StatsInputError);
  });
});
