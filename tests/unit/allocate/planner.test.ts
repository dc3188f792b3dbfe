// lib/allocate/planner.ts: labels needed for a target half-width, per stratum and policy.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocationInputError, labelsNeeded, planStrata, type PlanItem } from "@/lib/allocate";
import { Z_95 } from "@/lib/stats";

function fieldOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AllocationInputError);
    return (e as AllocationInputError).field;
  }
  return null;
}

/** Simple random sampling with the finite-population correction: n = n0/(1 + n0/N), n0 = z²v/h². */
const srs = (N: number, v: number, h: number) => {
  const n0 = (Z_95 ** 2 * v) / h ** 2;
  return n0 / (1 + n0 / N);
};

describe("labelsNeeded", () => {
  it("reproduces the textbook sample size under equal π", () => {
    // v = 0.25, ±0.05, N = 10,000: n0 = 384.15, n = 369.9 → 370 labels.
    const r = labelsNeeded({ variance: Array(10_000).fill(0.25), shape: Array(10_000).fill(1), halfWidth: 0.05 });
    expect(r.expectedLabels).toBeCloseTo(srs(10_000, 0.25, 0.05), 6);
    expect(r.labels).toBe(370);
    expect(r.halfWidthAtCensus).toBe(0);
    // a lower level needs fewer
    expect(labelsNeeded({ variance: Array(10_000).fill(0.25), shape: Array(10_000).fill(1), halfWidth: 0.05, level: 0.9 }).labels).toBeLessThan(370);
  });

  it("puts labels where the variance is under the √variance shape (Neyman), beating equal π", () => {
    const variance = [...Array(500).fill(0.01), ...Array(500).fill(0.25)];
    const neyman = labelsNeeded({ variance, shape: variance.map(Math.sqrt), halfWidth: 0.02 });
    const equal = labelsNeeded({ variance, shape: variance.map(() => 1), halfWidth: 0.02 });
    expect(neyman.labels).toBeLessThan(equal.labels);
    // Neyman allocation ignoring caps: n = (Σ√v)²/(N²h²/z² + Σv) with N = 1000
    const sumSqrt = 500 * 0.1 + 500 * 0.5;
    const sumV = 500 * 0.01 + 500 * 0.25;
    expect(neyman.expectedLabels).toBeCloseTo(sumSqrt ** 2 / ((1000 * 0.02) ** 2 / Z_95 ** 2 + sumV), 6);
  });

  it("needs a census for a tiny half-width, the floor alone for a wide one, nothing without variance", () => {
    expect(labelsNeeded({ variance: Array(50).fill(0.2), shape: Array(50).fill(1), halfWidth: 1e-9 }).labels).toBe(50);
    expect(labelsNeeded({ variance: Array(100).fill(0.2), shape: Array(100).fill(1), floor: 0.3, halfWidth: 0.5 }).expectedLabels).toBeCloseTo(30, 12);
    expect(labelsNeeded({ variance: Array(100).fill(0), shape: Array(100).fill(1), halfWidth: 0.01 }).labels).toBe(0);
    expect(labelsNeeded({ variance: [], shape: [], halfWidth: 0.01 }).labels).toBe(0);
    // items that can never be drawn (shape 0, floor 0) but vary: only a census reaches the target
    expect(labelsNeeded({ variance: [0.2, 0.2], shape: [1, 0], halfWidth: 0.3 }).labels).toBe(2);
  });

  it("refuses bad inputs, naming the field", () => {
    expect(fieldOf(() => labelsNeeded({ variance: [0.1], shape: [1, 1], halfWidth: 0.1 }))).toBe("shape");
    expect(fieldOf(() => labelsNeeded({ variance: [0.1], shape: [-1], halfWidth: 0.1 }))).toBe("shape");
    expect(fieldOf(() => labelsNeeded({ variance: [-0.1], shape: [1], halfWidth: 0.1 }))).toBe("variance");
    expect(fieldOf(() => labelsNeeded({ variance: [0.1], shape: [1], halfWidth: 0 }))).toBe("halfWidth");
    expect(fieldOf(() => labelsNeeded({ variance: [0.1], shape: [1], halfWidth: 0.1, floor: 2 }))).toBe("floor");
    expect(fieldOf(() => labelsNeeded({ variance: [0.1], shape: [1], halfWidth: 0.1, level: 1 }))).toBe("level");
  });

  it("is monotone: a narrower half-width never needs fewer labels", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 0.25, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true })), { minLength: 1, maxLength: 300 }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.double({ min: 0.001, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (rows, h1, h2, floor) => {
          const [narrow, wide] = h1 <= h2 ? [h1, h2] : [h2, h1];
          const input = { variance: rows.map((r) => r[0]), shape: rows.map((r) => r[1]), floor };
          const a = labelsNeeded({ ...input, halfWidth: narrow });
          const b = labelsNeeded({ ...input, halfWidth: wide });
          expect(a.expectedLabels).toBeGreaterThanOrEqual(b.expectedLabels - 1e-9);
          expect(a.labels).toBeGreaterThanOrEqual(b.labels);
          expect(a.labels).toBeLessThanOrEqual(rows.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("planStrata", () => {
  const item = (stratum: string, q: number, targeted = false, urgency = 0): PlanItem => ({ stratum, q, targeted, urgency, controlRate: 0.1 });

  it("plans each stratum within itself, hand-checked under uniform allocation", () => {
    // 100 items, q = 0.2, measured agreement 0.8: v = 0.16 + 0 = 0.16, n = srs(100, 0.16, 0.05) = 71.1 → 72.
    const items = [...Array.from({ length: 100 }, () => item("en", 0.2)), ...Array.from({ length: 400 }, () => item("fo", 0.6, true, 0.9))];
    const stats = new Map([["en", { labelled: 12, agreement: 0.8, biasSd: 0.5 }]]);
    const rows = planStrata(items, stats, { halfWidth: 0.05, piMin: 0.02 });
    expect(rows.map((r) => r.stratum)).toEqual(["en", "fo"]);
    const en = rows[0]!;
    expect(en).toMatchObject({ items: 100, labelled: 12, agreement: 0.8, biasSd: 0.5 });
    expect(en.needed.uniform.agreement).toBe(Math.ceil(srs(100, 0.16, 0.05)));
    // every item has the same q and the same rules shape, so all three policies agree (the floor does not bind)
    expect(en.needed.rules.agreement).toBe(en.needed.uniform.agreement);
    expect(en.needed.active.agreement).toBe(en.needed.uniform.agreement);
    // bias: v = 0.25 for every item, ±0.05
    expect(en.needed.uniform.bias).toBe(Math.ceil(srs(100, 0.25, 0.05)));
    // no labels yet: θ = 1 − mean q = 0.4, v = 0.24 + 0 = 0.24; bias unknown
    const fo = rows[1]!;
    expect(fo).toMatchObject({ items: 400, labelled: 0, agreement: null, biasSd: null });
    expect(fo.needed.uniform.agreement).toBe(Math.ceil(srs(400, 0.24, 0.05)));
    expect(fo.needed.active.bias).toBeNull();
  });

  it("uses the rules' priority shape, the floor for active, and the bias half-width", () => {
    // half targeted (high q), half not (low q): rules put π ∝ 1 + urgency vs controlRate, active ∝ √q.
    const items = [...Array.from({ length: 300 }, () => item("s", 0.5, true, 0.8)), ...Array.from({ length: 300 }, () => item("s", 0.02))];
    const stats = new Map([["s", { labelled: 0, agreement: 0.74, biasSd: 0.3 }]]);
    const [row] = planStrata(items, stats, { halfWidth: 0.05, biasHalfWidth: 0.1, piMin: 0.05 });
    const vHigh = 0.25 + (0.5 - 0.74) ** 2;
    const vLow = 0.02 * 0.98 + (0.98 - 0.74) ** 2;
    const variance = [...Array(300).fill(vHigh), ...Array(300).fill(vLow)];
    expect(row!.needed.rules.agreement).toBe(labelsNeeded({ variance, shape: [...Array(300).fill(1.8), ...Array(300).fill(0.1)], halfWidth: 0.05 }).labels);
    expect(row!.needed.active.agreement).toBe(labelsNeeded({ variance, shape: [...Array(300).fill(Math.sqrt(0.5)), ...Array(300).fill(Math.sqrt(0.02))], floor: 0.05, halfWidth: 0.05 }).labels);
    expect(row!.needed.uniform.bias).toBe(Math.ceil(srs(600, 0.09, 0.1)));
    // the rules starve the low-q half (π 18× smaller) although its v is not small: they need more than uniform
    expect(row!.needed.rules.agreement).toBeGreaterThan(row!.needed.uniform.agreement);
  });

  it("refuses bad options and items", () => {
    const ok = [item("a", 0.3)];
    expect(fieldOf(() => planStrata(ok, new Map(), { halfWidth: 0, piMin: 0.1 }))).toBe("halfWidth");
    expect(fieldOf(() => planStrata(ok, new Map(), { halfWidth: 0.1, piMin: 0 }))).toBe("piMin");
    expect(fieldOf(() => planStrata(ok, new Map(), { halfWidth: 0.1, biasHalfWidth: -1, piMin: 0.1 }))).toBe("biasHalfWidth");
    expect(fieldOf(() => planStrata([item("a", 1.3)], new Map(), { halfWidth: 0.1, piMin: 0.1 }))).toBe("q");
    expect(fieldOf(() => planStrata([{ ...item("a", 0.3), controlRate: 0 }], new Map(), { halfWidth: 0.1, piMin: 0.1 }))).toBe("controlRate");
    expect(planStrata([], new Map(), { halfWidth: 0.1, piMin: 0.1 })).toEqual([]);
  });
});
