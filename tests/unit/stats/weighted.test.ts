import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InclusionProbabilityError,
  StatsInputError,
  createRng,
  hajekMean,
  hajekMeanWithVariance,
  hajekProportion,
  horvitzThompsonMean,
  horvitzThompsonTotal,
  predictionPoweredJudgeBias,
  predictionPoweredMean,
} from "@/lib/stats";
import { expectSame, permutation, permute } from "./helpers";

const sample = fc
  .integer({ min: 1, max: 30 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
    ),
  );

describe("Horvitz–Thompson and Hájek", () => {
  it("compute the textbook values", () => {
    expect(horvitzThompsonTotal([1, 2, 3], [0.5, 1, 0.25])).toBe(2 + 2 + 12);
    expect(horvitzThompsonMean([1, 2, 3], [0.5, 1, 0.25], 8)).toBe(2);
    expect(hajekMean([1, 2, 3], [0.5, 1, 0.25])).toBeCloseTo(16 / 7, 14);
  });

  it("Hájek mean equals the plain mean when all π are equal", () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 0.01, max: 1, noNaN: true }), ([y], p) => {
        const mean = y.reduce((s, v) => s + v, 0) / y.length;
        expectSame(hajekMean(y, y.map(() => p)), mean, 1e-9);
      }),
    );
  });

  it("are invariant to row order", () => {
    fc.assert(
      fc.property(sample, fc.integer(), ([y, pi], seed) => {
        const p = permutation(y.length, seed);
        const [y2, pi2] = [permute(y, p), permute(pi, p)];
        expectSame(horvitzThompsonTotal(y2, pi2), horvitzThompsonTotal(y, pi), 1e-7);
        const a = hajekMeanWithVariance(y, pi);
        const b = hajekMeanWithVariance(y2, pi2);
        expectSame(b.estimate, a.estimate, 1e-9);
        expectSame(b.variance, a.variance, 1e-9);
      }),
    );
  });

  it("add no variance for certainty units (π = 1)", () => {
    const e = hajekMeanWithVariance([1, 5, 9], [1, 1, 1]);
    expect(e.estimate).toBe(5);
    expect(e.se).toBe(0);
    expect(e.lower).toBe(5);
  });

  it("gives the linearisation variance for a proportion, clipped to [0, 1]", () => {
    // μ̂ = (1/0.5 + 1/1)/(1/0.5 + 1/1 + 1/0.25) = 3/7; V̂ = Σ(1−π)/π²(y−μ̂)² / N̂²
    const y = [1, 1, 0];
    const pi = [0.5, 1, 0.25];
    const mu = 3 / 7;
    const v = (2 * (1 - mu) ** 2 + 12 * mu ** 2) / 49;
    const e = hajekProportion([true, true, false], pi);
    expect(e.estimate).toBeCloseTo(mu, 14);
    expect(e.variance).toBeCloseTo(v, 14);
    expect(e.lower).toBeGreaterThanOrEqual(0);
    expect(e.upper).toBeLessThanOrEqual(1);
    expect(hajekProportion(y, pi).estimate).toBeCloseTo(mu, 14);
    expect(() => hajekProportion([2], [1])).toThrow(StatsInputError);
  });

  it("throw a typed RangeError for π outside (0, 1]", () => {
    for (const bad of [0, -0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      let caught: unknown;
      try {
        hajekMean([1, 2], [0.5, bad]);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(InclusionProbabilityError);
      expect(caught).toBeInstanceOf(RangeError);
      expect((caught as InclusionProbabilityError).index).toBe(1);
    }
    expect(() => horvitzThompsonTotal([1], [0])).toThrow(InclusionProbabilityError);
    expect(() => predictionPoweredMean({ judge: [0.5], human: [1], pi: [0] })).toThrow(InclusionProbabilityError);
  });

  it("HT mean is unbiased over repeated Poisson samples", () => {
    const rng = createRng(11);
    const N = 200;
    const y = Array.from({ length: N }, () => rng.normal() + 3);
    const pi = y.map((_, i) => (i % 4 === 0 ? 1 : 0.2));
    const truth = y.reduce((s, v) => s + v, 0) / N;
    let sum = 0;
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      const keep = y.map((_, i) => rng.next() < pi[i]!);
      sum += horvitzThompsonMean(y.filter((_, i) => keep[i]), pi.filter((_, i) => keep[i]), N);
    }
    expect(Math.abs(sum / reps - truth)).toBeLessThan(0.02);
  });
});

describe("predictionPoweredMean", () => {
  const input = {
    judge: [0.9, 0.8, 0.2, 0.6, 0.5, 0.95, 0.3, 0.7],
    human: [null, 1, null, 0, 1, null, 0, null],
    pi: [0.2, 0.4, 0.4, 0.8, 1, 0.1, 0.6, 0.6],
  };

  it("uses the design variance from design.md by default", () => {
    const r = predictionPoweredMean(input);
    expect(r.estimate).toBeCloseTo(0.5875, 14);
    // (1/N²) Σ (1−π)/π² (Y−f)² = (0.15 + 0.1125 + 0 + 0.1)/64
    expect(r.variance).toBeCloseTo(0.3625 / 64, 14);
    expect(r.se).toBe(r.seDesign);
    expect(r.upper - r.estimate).toBeCloseTo(1.959963984540054 * r.se, 12);
    expect(r.nLabelled).toBe(4);
    expect(r.n).toBe(8);
  });

  it("reduces to the plain mean of Y when every item is labelled with π = 1", () => {
    const r = predictionPoweredMean({ judge: [0.1, 0.9, 0.4], human: [0, 1, 1], pi: [1, 1, 1] });
    expect(r.estimate).toBeCloseTo(2 / 3, 14);
    expect(r.seDesign).toBe(0);
  });

  it("is invariant to row order, and the judge bias is mean(f) − μ̂", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.constantFrom(0.1, 0.5, 1)), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer(),
        (rows, seed) => {
          const make = (rs: typeof rows) => ({
            judge: rs.map((r) => r[0]),
            human: rs.map((r, i) => (r[1] ? i % 2 : null)),
            pi: rs.map((r) => r[2]),
          });
          const p = permutation(rows.length, seed);
          const base = make(rows);
          const shuffled = { judge: permute(base.judge, p), human: permute(base.human, p), pi: permute(base.pi, p) };
          const a = predictionPoweredMean(base);
          const b = predictionPoweredMean(shuffled);
          expectSame(b.estimate, a.estimate, 1e-9);
          expectSame(b.seDesign, a.seDesign, 1e-9);
          expectSame(b.seSuperpopulation, a.seSuperpopulation, 1e-9);
          const bias = predictionPoweredJudgeBias(base);
          const meanF = base.judge.reduce((s, f) => s + f, 0) / base.judge.length;
          expectSame(bias.estimate, meanF - a.estimate, 1e-12);
          expectSame(bias.upper - bias.lower, a.upper - a.lower, 1e-12);
        },
      ),
    );
  });

  it("rejects labelled items without a value or π", () => {
    expect(() => predictionPoweredMean({ judge: [1], human: [null], pi: [1], labelled: [true] })).toThrow(StatsInputError);
    expect(() => predictionPoweredMean({ judge: [1], human: [1], pi: [null] })).toThrow(StatsInputError);
    expect(() => predictionPoweredMean({ judge: [], human: [], pi: [] })).toThrow(StatsInputError);
  });
});
