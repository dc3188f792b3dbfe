import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StatsInputError, benjaminiHochberg, twoSidedPValue, zTest, zTestDifference } from "@/lib/stats";

describe("benjaminiHochberg", () => {
  it("matches scipy.stats.false_discovery_control (R p.adjust 'BH')", () => {
    const r = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.9], 0.05);
    const expected = [0.035, 0.056, 0.056, 0.035, 0.23333333333333336, 0.056, 0.9];
    r.adjusted.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 14));
    expect(r.rejected).toEqual([true, false, false, true, false, false, false]);

    // McDonald, Handbook of Biological Statistics: 25 dietary variables, FDR 0.25
    const p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.275, 0.34,
      0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986];
    const q = benjaminiHochberg(p, 0.25);
    expect(q.adjusted[6]).toBeCloseTo(0.2642857142857143, 14);
    expect(q.rejected.filter(Boolean).length).toBe(6);
  });

  it("gives adjusted p ≥ raw p, ≤ 1, monotone in raw p, in the input order", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }), (p) => {
        const { adjusted, rejected } = benjaminiHochberg(p, 0.1);
        for (let i = 0; i < p.length; i++) {
          expect(adjusted[i]!).toBeGreaterThanOrEqual(p[i]!);
          expect(adjusted[i]!).toBeLessThanOrEqual(1);
          expect(rejected[i]).toBe(adjusted[i]! <= 0.1);
          for (let j = 0; j < p.length; j++) if (p[i]! <= p[j]!) expect(adjusted[i]!).toBeLessThanOrEqual(adjusted[j]!);
        }
      }),
    );
  });

  it("leaves NaN p-values out of m", () => {
    const r = benjaminiHochberg([0.01, Number.NaN, 0.02]);
    expect(r.adjusted[0]).toBeCloseTo(0.02, 15);
    expect(r.adjusted[1]).toBeNaN();
    expect(r.rejected[1]).toBe(false);
  });

  it("rejects invalid p and q", () => {
    expect(() => benjaminiHochberg([1.2])).toThrow(StatsInputError);
    expect(() => benjaminiHochberg([0.5], 0)).toThrow(StatsInputError);
  });
});

describe("z-test p-values", () => {
  it("are two-sided normal tail areas (scipy.special.erfc)", () => {
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 15);
    expect(twoSidedPValue(0)).toBe(1);
    expect(twoSidedPValue(-Math.SQRT2 * 0.5)).toBeCloseTo(0.4795001221869535, 15);
    expect(twoSidedPValue(Math.SQRT2 * 5) / 1.5374597944280347e-12).toBeCloseTo(1, 12);
    expect(twoSidedPValue(40)).toBeGreaterThanOrEqual(0);
  });

  it("test an estimate or a difference against its standard error", () => {
    const t = zTest(0.3, 0.1, 0.1);
    expect(t.z).toBeCloseTo(2, 14);
    expect(t.p).toBeCloseTo(0.04550026389635842, 13);
    const d = zTestDifference({ estimate: 0.8, se: 0.03 }, { estimate: 0.7, se: 0.04 });
    expect(d.z).toBeCloseTo(2, 12);
    expect(() => zTest(1, 0)).toThrow(StatsInputError);
  });
});
