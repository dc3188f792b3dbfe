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
  kishEffectiveN,
  predictionPoweredBias,
  predictionPoweredJudgeBias,
  predictionPoweredMean,
  weightedMeanInterval,
  wilsonEffective,
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

  it("gives a proportion its linearisation variance and Wilson's interval at the Kish effective n", () => {
    // μ̂ = (1/0.5 + 1/1)/(1/0.5 + 1/1 + 1/0.25) = 3/7; V̂ = Σ(1−π)/π²(y−μ̂)² / N̂²
    const y = [1, 1, 0];
    const pi = [0.5, 1, 0.25];
    const mu = 3 / 7;
    const v = (2 * (1 - mu) ** 2 + 12 * mu ** 2) / 49;
    const e = hajekProportion([true, true, false], pi);
    expect(e.estimate).toBeCloseTo(mu, 14);
    expect(e.variance).toBeCloseTo(v, 14);
    expect(e.se).toBeCloseTo(Math.sqrt(v), 14);
    // weights 2, 1, 4: n_Kish = 49/21
    const w = wilsonEffective(mu, 49 / 21);
    expect(e.lower).toBeCloseTo(w.lower, 14);
    expect(e.upper).toBeCloseTo(w.upper, 14);
    expect(e.level).toBe(0.95);
    expect(hajekProportion(y, pi).estimate).toBeCloseTo(mu, 14);
    expect(() => hajekProportion([2], [1])).toThrow(StatsInputError);
  });

  it("gives a proportion with equal π Wilson's interval on the labelled count; a lower level narrows it", () => {
    const e = hajekProportion([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], new Array<number>(10).fill(0.3));
    const w = wilsonEffective(0.3, 10);
    expect(e.lower).toBeCloseTo(w.lower, 14);
    expect(e.upper).toBeCloseTo(w.upper, 14);
    const e90 = hajekProportion([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], new Array<number>(10).fill(0.3), { level: 0.9 });
    expect(e90.upper - e90.lower).toBeLessThan(e.upper - e.lower);
    expect(e90.level).toBe(0.9);
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

describe("kishEffectiveN and weightedMeanInterval", () => {
  it("Kish n is n for equal weights and shrinks with unequal ones", () => {
    expect(kishEffectiveN([1, 1, 1, 1])).toBe(4);
    expect(kishEffectiveN([3, 3, 3])).toBeCloseTo(3, 14);
    expect(kishEffectiveN([1, 10, 1, 10])).toBeCloseTo(484 / 202, 12);
    expect(kishEffectiveN([])).toBe(0);
  });

  it("is the weighted mean with SE √(weighted variance / Kish n), clipped when asked", () => {
    const values = [0, 0.5, 1, 1];
    const weights = [1, 2, 1, 4];
    const mean = (0 + 1 + 1 + 4) / 8;
    const v = (1 * mean ** 2 + 2 * (0.5 - mean) ** 2 + 5 * (1 - mean) ** 2) / 8;
    const nKish = 64 / 22;
    const e = weightedMeanInterval(values, weights);
    expect(e.estimate).toBeCloseTo(mean, 14);
    expect(e.se).toBeCloseTo(Math.sqrt(v / nKish), 14);
    expect(e.upper - e.estimate).toBeCloseTo(1.959963984540054 * e.se, 12);
    const clipped = weightedMeanInterval(values, weights, { clip: [0, 1] });
    expect(clipped.upper).toBe(1);
    expect(clipped.lower).toBeCloseTo(e.lower, 14);
    expect(() => weightedMeanInterval([1], [0])).toThrow(StatsInputError);
    expect(() => weightedMeanInterval([1, 2], [1])).toThrow(StatsInputError);
  });

  it("with equal weights is the plain mean with SE sd(ddof 0)/√n", () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 0.1, max: 10, noNaN: true }), ([y], w) => {
        const n = y.length;
        const mean = y.reduce((s, v) => s + v, 0) / n;
        const sd = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
        const e = weightedMeanInterval(y, y.map(() => w));
        expectSame(e.estimate, mean, 1e-9);
        expectSame(e.se, sd / Math.sqrt(n), 1e-9);
      }),
    );
  });
});

describe("predictionPoweredBias", () => {
  const labelledRows = fc.array(fc.tuple(fc.double({ min: -4, max: 4, noNaN: true }), fc.constantFrom(0.1, 0.25, 0.5, 1)), {
    minLength: 1,
    maxLength: 40,
  });

  it("with every π = 1 and N = the labelled count is the plain mean of d", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 1, maxLength: 40 }), (d) => {
        const b = predictionPoweredBias(d.length, d.map((x) => ({ d: x, pi: 1 })));
        const mean = d.reduce((s, x) => s + x, 0) / d.length;
        expectSame(b.estimate, mean, 1e-12);
        expect(b.seDesign).toBe(0);
        // superpopulation SE: sd(d, ddof 0)/√n
        const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length);
        expectSame(b.seSuper, sd / Math.sqrt(d.length), 1e-9);
      }),
    );
  });

  it("scales with d: estimate by c, both SEs by |c|", () => {
    fc.assert(
      fc.property(labelledRows, fc.integer({ min: 0, max: 60 }), fc.double({ min: -5, max: 5, noNaN: true }), (rows, extra, c) => {
        const n = rows.length + extra;
        const base = predictionPoweredBias(n, rows.map(([d, pi]) => ({ d, pi })));
        const scaled = predictionPoweredBias(n, rows.map(([d, pi]) => ({ d: c * d, pi })));
        expectSame(scaled.estimate, c * base.estimate, 1e-9);
        expectSame(scaled.seDesign, Math.abs(c) * base.seDesign, 1e-9);
        expectSame(scaled.seSuper, Math.abs(c) * base.seSuper, 1e-9);
        expectSame(scaled.upper - scaled.lower, Math.abs(c) * (base.upper - base.lower), 1e-9);
      }),
    );
  });

  it("from N and the labelled items equals predictionPoweredJudgeBias over all items, with an interval at least as wide", () => {
    const rng = createRng(7);
    const N = 300;
    const judge = Array.from({ length: N }, () => 1 + rng.nextInt(5));
    const human = judge.map((f) => Math.min(5, Math.max(1, f + rng.nextInt(3) - 1)));
    const pi = judge.map((_, i) => (i % 4 === 0 ? 1 : 0.2));
    const labelled = pi.map((p) => rng.next() < p);
    const full = predictionPoweredJudgeBias({ judge, human: human.map((y, i) => (labelled[i] ? y : null)), pi });
    const mine = predictionPoweredBias(N, labelled.flatMap((l, i) => (l ? [{ d: judge[i]! - human[i]!, pi: pi[i]! }] : [])));
    expect(mine.estimate).toBeCloseTo(full.estimate, 12);
    expect(mine.seDesign).toBeCloseTo(full.seDesign, 12);
    expect(mine.upper - mine.lower).toBeGreaterThanOrEqual(full.upper - full.lower - 1e-12);
  });

  it("keeps a fully labelled stratum's interval open through the superpopulation SE", () => {
    const b = predictionPoweredBias(4, [{ d: 1, pi: 1 }, { d: 0, pi: 1 }, { d: 2, pi: 1 }, { d: 1, pi: 1 }]);
    expect(b.estimate).toBe(1);
    expect(b.seDesign).toBe(0);
    expect(b.seSuper).toBeCloseTo(Math.sqrt(0.5 / 4), 12);
    expect(b.lower).toBeLessThan(1);
  });

  it("rejects a bad population size, π or difference", () => {
    expect(() => predictionPoweredBias(0, [])).toThrow(StatsInputError);
    expect(() => predictionPoweredBias(3, [{ d: 1, pi: 0 }])).toThrow(InclusionProbabilityError);
    expect(() => predictionPoweredBias(3, [{ d: Number.NaN, pi: 1 }])).toThrow(StatsInputError);
  });
});
