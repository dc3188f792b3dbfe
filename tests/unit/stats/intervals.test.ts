import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  StatsInputError,
  cohenKappaFromTable,
  contingencyTable,
  createRng,
  hajekMeanWithVariance,
  quantileSorted,
  weightedBootstrap,
  wilsonEffective,
  wilsonInterval,
} from "@/lib/stats";

describe("wilsonInterval", () => {
  it("stays within [0, 1] and contains p̂", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        fc.double({ min: 0.5, max: 4, noNaN: true }),
        ([k, n], z) => {
          const w = wilsonInterval(k, n, z);
          expect(w.lower).toBeGreaterThanOrEqual(0);
          expect(w.upper).toBeLessThanOrEqual(1);
          expect(w.lower).toBeLessThanOrEqual(w.estimate + 1e-15);
          expect(w.upper).toBeGreaterThanOrEqual(w.estimate - 1e-15);
          expect(w.estimate).toBe(k / n);
        },
      ),
    );
  });

  it("is wilsonEffective at p̂ = k/n; a smaller effective n widens it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))), ([k, n]) => {
        expect(wilsonInterval(k, n)).toEqual(wilsonEffective(k / n, n));
      }),
    );
    const equal = wilsonEffective(0.5, 40);
    const unequal = wilsonEffective(0.5, 10);
    expect(unequal.upper - unequal.lower).toBeGreaterThan(equal.upper - equal.lower);
  });

  it("widens with z and is symmetric under k ↔ n − k", () => {
    const narrow = wilsonInterval(30, 100, 1);
    const wide = wilsonInterval(30, 100, 3);
    expect(wide.upper - wide.lower).toBeGreaterThan(narrow.upper - narrow.lower);
    const a = wilsonInterval(7, 20);
    const b = wilsonInterval(13, 20);
    expect(a.lower).toBeCloseTo(1 - b.upper, 14);
  });

  it("is [0, 1] with no trials and rejects impossible counts", () => {
    expect(wilsonInterval(0, 0)).toEqual({ estimate: Number.NaN, lower: 0, upper: 1 });
    expect(() => wilsonInterval(5, 4)).toThrow(StatsInputError);
    expect(() => wilsonInterval(-1, 4)).toThrow(StatsInputError);
    expect(() => wilsonInterval(1, 4, 0)).toThrow(StatsInputError);
  });
});

describe("quantileSorted", () => {
  it("interpolates like R's type 7", () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([5], 0.9)).toBe(5);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});

describe("weightedBootstrap", () => {
  const rng = createRng(3);
  const rows = Array.from({ length: 120 }, (_, i) => ({ y: rng.normal() + (i % 3), pi: i % 3 === 0 ? 1 : 0.25 }));
  const weights = rows.map((r) => 1 / r.pi);
  const weightedMean = (rs: readonly { y: number }[], ws: readonly number[]) =>
    rs.reduce((s, r, i) => s + r.y * ws[i]!, 0) / ws.reduce((s, w) => s + w, 0);

  it("is deterministic for a seed and changes with the seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const a = weightedBootstrap(weightedMean, rows.slice(0, 30), weights.slice(0, 30), { seed, resamples: 1000 });
        const b = weightedBootstrap(weightedMean, rows.slice(0, 30), weights.slice(0, 30), { seed, resamples: 1000 });
        expect(b).toEqual(a);
      }),
      { numRuns: 10 },
    );
    const a = weightedBootstrap(weightedMean, rows, weights, { seed: 1 });
    const c = weightedBootstrap(weightedMean, rows, weights, { seed: 2 });
    expect(c.lower).not.toBe(a.lower);
  });

  it("brackets the estimate with a width close to the linearised normal interval", () => {
    const boot = weightedBootstrap(weightedMean, rows, weights, { seed: 42, resamples: 2000 });
    const lin = hajekMeanWithVariance(rows.map((r) => r.y), rows.map((r) => r.pi));
    expect(boot.estimate).toBeCloseTo(lin.estimate, 12);
    expect(boot.lower).toBeLessThan(boot.estimate);
    expect(boot.upper).toBeGreaterThan(boot.estimate);
    expect(boot.valid).toBe(2000);
    // with-replacement resampling also resamples the π = 1 units, so it is somewhat wider
    const ratio = (boot.upper - boot.lower) / (lin.upper - lin.lower);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.6);
  });

  it("works with a weighted kappa statistic and drops undefined resamples", () => {
    const r2 = createRng(9);
    const pairs = Array.from({ length: 60 }, () => {
      const a = r2.nextInt(3);
      return { a, b: r2.next() < 0.7 ? a : r2.nextInt(3) };
    });
    const kappa = (rs: readonly { a: number; b: number }[], ws: readonly number[]) =>
      cohenKappaFromTable(contingencyTable(rs.map((r) => r.a), rs.map((r) => r.b), [0, 1, 2], ws), "quadratic");
    const boot = weightedBootstrap(kappa, pairs, pairs.map(() => 1), { seed: 5, resamples: 1000, level: 0.9 });
    expect(boot.lower).toBeLessThan(boot.estimate);
    expect(boot.upper).toBeGreaterThan(boot.estimate);
    expect(boot.level).toBe(0.9);

    const constant = weightedBootstrap(() => Number.NaN, [1, 2], [1, 1], { seed: 1 });
    expect(constant.valid).toBe(0);
    expect(constant.lower).toBeNaN();
  });

  it("insists on at least 1,000 resamples and sane options", () => {
    expect(() => weightedBootstrap(weightedMean, rows, weights, { seed: 1, resamples: 999 })).toThrow(StatsInputError);
    expect(() => weightedBootstrap(weightedMean, rows, weights, { seed: 1, level: 1 })).toThrow(StatsInputError);
    expect(() => weightedBootstrap(weightedMean, rows, weights.slice(1), { seed: 1 })).toThrow(StatsInputError);
  });
});
