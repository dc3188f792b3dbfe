// lib/allocate/trust.ts: the fixed-sequence certificate of Trust or Escalate, and the trusted share.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocationInputError, DEFAULT_TRUST_GRID, trustCertificate, trustedShare, type TrustObservation } from "@/lib/allocate";
import { clopperPearsonUpper, kishEffectiveN } from "@/lib/stats";

function fieldOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AllocationInputError);
    return (e as AllocationInputError).field;
  }
  return null;
}

const many = (n: number, o: TrustObservation): TrustObservation[] => Array.from({ length: n }, () => ({ ...o }));

describe("trustCertificate", () => {
  it("certifies down to the last passing λ and stops at the first failure (hand-checked)", () => {
    // 40 agreeing items at confidence 0.95 and 40 disagreeing at 0.5. The sequence starts at 0.95 (the first λ
    // with ≥ 30 labels); from 0.95 to 0.51 the set is the 40 agreeing items: upper = 1 − 0.1^{1/40} ≈ 0.056 ≤ 0.1,
    // pass. At 0.50 half disagree: fail, stop. Threshold 0.51.
    const obs = [...many(40, { confidence: 0.95, agree: true }), ...many(40, { confidence: 0.5, agree: false })];
    const c = trustCertificate(obs, { target: 0.9, delta: 0.1 });
    expect(c.reason).toBe("certified");
    expect(c.threshold).toBe(0.51);
    expect(c.n).toBe(40);
    expect(c.agreement).toBe(1);
    expect(c.disagreementUpper).toBeCloseTo(1 - 0.1 ** (1 / 40), 12);
    expect(c.steps).toHaveLength(46); // 0.95, 0.94, …, 0.50
    expect(c.steps[0]).toMatchObject({ lambda: 0.95, n: 40, nEff: 40, agreement: 1, pass: true });
    expect(c.steps.at(-1)).toMatchObject({ lambda: 0.5, n: 80, agreement: 0.5, pass: false });
    expect(c.steps.at(-1)!.disagreementUpper).toBeCloseTo(clopperPearsonUpper(40, 80, 0.1), 12);
    expect(c).toMatchObject({ target: 0.9, delta: 0.1 });
  });

  it("says too_few_labels when no λ has minN labels, none_qualifies when the first test fails", () => {
    const few = trustCertificate(many(29, { confidence: 0.99, agree: true }), { target: 0.9, delta: 0.1 });
    expect(few).toMatchObject({ reason: "too_few_labels", threshold: null, n: 0, agreement: null, disagreementUpper: null, steps: [] });
    // 30 labels, 3 disagreements: upper bound of 3/30 at δ = 0.1 is ≈ 0.2 > 0.1.
    const obs = [...many(27, { confidence: 0.9, agree: true }), ...many(3, { confidence: 0.9, agree: false })];
    const none = trustCertificate(obs, { target: 0.9, delta: 0.1 });
    expect(none.reason).toBe("none_qualifies");
    expect(none.threshold).toBeNull();
    expect(none.steps).toHaveLength(1);
    expect(none.steps[0]!.lambda).toBe(0.9);
    expect(none.steps[0]!.disagreementUpper).toBeCloseTo(clopperPearsonUpper(3, 30, 0.1), 12);
    // the same data certify against a looser target and a smaller minN changes where the sequence starts
    expect(trustCertificate(obs, { target: 0.7, delta: 0.1 }).threshold).toBe(0);
    expect(trustCertificate(many(5, { confidence: 0.99, agree: true }), { target: 0.5, delta: 0.1, minN: 5 }).steps[0]!.lambda).toBe(0.99);
  });

  it("weights by 1/π with the Kish effective n", () => {
    // 60 items at 0.9: 50 agree (π = 1), 10 disagree (π = 0.5, weight 2). Hájek disagreement 20/70.
    const obs = [...many(50, { confidence: 0.9, agree: true, pi: 1 }), ...many(10, { confidence: 0.9, agree: false, pi: 0.5 })];
    const c = trustCertificate(obs, { target: 0.6, delta: 0.1 });
    const step = c.steps[0]!;
    const nEff = kishEffectiveN([...Array(50).fill(1), ...Array(10).fill(2)]);
    expect(step.nEff).toBeCloseTo(nEff, 12);
    expect(step.agreement).toBeCloseTo(50 / 70, 14);
    expect(step.disagreementUpper).toBeCloseTo(clopperPearsonUpper((20 / 70) * nEff, nEff, 0.1), 12);
    expect(step.n).toBe(60);
  });

  it("uses a custom grid in descending order", () => {
    const obs = [...many(40, { confidence: 0.95, agree: true }), ...many(40, { confidence: 0.5, agree: false })];
    const c = trustCertificate(obs, { target: 0.9, delta: 0.1, grid: [0.3, 0.9, 0.6, 0.9] });
    expect(c.steps.map((s) => s.lambda)).toEqual([0.9, 0.6, 0.3]);
    expect(c.threshold).toBe(0.6);
    expect(DEFAULT_TRUST_GRID).toHaveLength(100);
    expect(DEFAULT_TRUST_GRID[0]).toBe(0.99);
    expect(DEFAULT_TRUST_GRID[1]).toBe(0.98);
    expect(DEFAULT_TRUST_GRID.at(-1)).toBe(0);
  });

  it("refuses a target or δ outside (0, 1) and other bad input, naming the field", () => {
    const obs = many(40, { confidence: 0.95, agree: true });
    expect(fieldOf(() => trustCertificate(obs, { target: 1, delta: 0.1 }))).toBe("trustTarget");
    expect(fieldOf(() => trustCertificate(obs, { target: 0, delta: 0.1 }))).toBe("trustTarget");
    expect(fieldOf(() => trustCertificate(obs, { target: Number.NaN, delta: 0.1 }))).toBe("trustTarget");
    expect(fieldOf(() => trustCertificate(obs, { target: 0.9, delta: 0 }))).toBe("trustDelta");
    expect(fieldOf(() => trustCertificate(obs, { target: 0.9, delta: 1.2 }))).toBe("trustDelta");
    expect(fieldOf(() => trustCertificate(obs, { target: 0.9, delta: 0.1, minN: 0 }))).toBe("minN");
    expect(fieldOf(() => trustCertificate(obs, { target: 0.9, delta: 0.1, grid: [1.5] }))).toBe("grid");
    expect(fieldOf(() => trustCertificate([{ confidence: 0.5, agree: true, pi: 0 }], { target: 0.9, delta: 0.1 }))).toBe("observations");
    expect(fieldOf(() => trustCertificate([{ confidence: Number.NaN, agree: true }], { target: 0.9, delta: 0.1 }))).toBe("observations");
  });

  const calibration = fc.array(
    fc.record({
      confidence: fc.integer({ min: 0, max: 100 }).map((k) => k / 100),
      agree: fc.boolean(),
      pi: fc.option(fc.double({ min: 0.05, max: 1, noNaN: true }), { nil: undefined }),
    }),
    { minLength: 0, maxLength: 300 },
  );

  it("has a threshold monotone in the target: a stricter target certifies a smaller set or none", () => {
    fc.assert(
      fc.property(calibration, fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.integer({ min: 1, max: 40 }), (obs, t1, t2, minN) => {
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const a = trustCertificate(obs, { target: lo, delta: 0.1, minN });
        const b = trustCertificate(obs, { target: hi, delta: 0.1, minN });
        if (b.threshold !== null) {
          expect(a.threshold).not.toBeNull();
          expect(a.threshold!).toBeLessThanOrEqual(b.threshold);
        }
        // and a threshold only ever comes with a passing bound
        if (a.threshold !== null) expect(a.disagreementUpper!).toBeLessThanOrEqual(1 - lo);
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on the order of the observations", () => {
    fc.assert(
      fc.property(calibration, (obs) => {
        const a = trustCertificate(obs, { target: 0.8, delta: 0.1, minN: 10 });
        const b = trustCertificate([...obs].reverse(), { target: 0.8, delta: 0.1, minN: 10 });
        expect(b.threshold).toBe(a.threshold);
        expect(b.steps.length).toBe(a.steps.length);
        b.steps.forEach((s, i) => expect(s.disagreementUpper).toBeCloseTo(a.steps[i]!.disagreementUpper, 9));
      }),
      { numRuns: 100 },
    );
  });
});

describe("trustedShare", () => {
  it("counts confidence ≥ threshold; null threshold, empty input and null confidences are never trusted", () => {
    expect(trustedShare(0.8, [0.9, 0.8, 0.79, null])).toBe(0.5);
    expect(trustedShare(null, [0.9, 1])).toBe(0);
    expect(trustedShare(0.5, [])).toBe(0);
    expect(trustedShare(0, [null, null, 0])).toBeCloseTo(1 / 3, 15);
  });
});
