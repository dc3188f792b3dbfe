import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StatsInputError, Z_95, createRng, erf, erfc, normalCdf, normalQuantile, normalSurvival, zForLevel } from "@/lib/stats";

// Reference values from scipy.stats.norm / scipy.special (double precision).
const CDF: [number, number][] = [
  [-10, 7.61985302416047e-24],
  [-8, 6.22096057427174e-16],
  [-5, 2.866515718791933e-7],
  [-3, 0.0013498980316300933],
  [-2.5, 0.006209665325776132],
  [-1, 0.15865525393145707],
  [-0.5, 0.3085375387259869],
  [0.3, 0.6179114221889526],
];
const QUANTILE: [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-20, -9.262340089798409],
  [1e-10, -6.361340902404056],
  [0.001, -3.090232306167813],
  [0.025, -1.9599639845400545],
  [0.3, -0.5244005127080409],
  [0.975, 1.959963984540054],
  [1 - 1e-12, 7.0344869100478356],
];

describe("normal distribution", () => {
  it("matches scipy to ~1e-12 relative error, deep into the tails", () => {
    for (const [z, p] of CDF) {
      expect(Math.abs(normalCdf(z) / p - 1)).toBeLessThan(1e-12);
      expect(Math.abs(normalSurvival(-z) / p - 1)).toBeLessThan(1e-12);
    }
    for (const [p, z] of QUANTILE) expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-12 * Math.max(1, Math.abs(z)));
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 15);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 15);
    expect(erf(0.5)).toBeCloseTo(1 - 0.4795001221869535, 15);
    expect(Math.abs(erfc(5) / 1.5374597944280347e-12 - 1)).toBeLessThan(1e-13);
  });

  it("has Φ(Φ⁻¹(p)) = p and Φ(−z) = 1 − Φ(z)", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => {
        expect(Math.abs(normalCdf(normalQuantile(p)) - p)).toBeLessThan(1e-14 + 1e-12 * p);
      }),
    );
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (z) => {
        expect(normalCdf(-z)).toBeCloseTo(1 - normalCdf(z), 14);
      }),
    );
  });

  it("gives z for a confidence level", () => {
    expect(zForLevel(0.95)).toBeCloseTo(Z_95, 14);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(() => normalQuantile(1.1)).toThrow(StatsInputError);
    expect(() => zForLevel(1)).toThrow(StatsInputError);
  });
});

describe("createRng (xoshiro128**)", () => {
  it("is reproducible for a seed and differs across seeds", () => {
    const a = createRng(123);
    const b = createRng(123);
    const c = createRng(124);
    const xs = Array.from({ length: 50 }, () => a.nextUint32());
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it("draws uniforms in [0, 1), integers in range and standard normals", () => {
    const rng = createRng(2024);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let normSum = 0;
    let normSq = 0;
    let outOfRange = 0;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      if (!(u >= 0 && u < 1)) outOfRange++;
      sum += u;
      sumSq += u * u;
      buckets[rng.nextInt(10)]! += 1;
      const z = rng.normal();
      normSum += z;
      normSq += z * z;
    }
    expect(outOfRange).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(500);
    expect(normSum / n).toBeCloseTo(0, 1);
    expect(normSq / n).toBeCloseTo(1, 1);
  });

  it("rejects non-integer seeds and ranges", () => {
    expect(() => createRng(1.5)).toThrow(StatsInputError);
    expect(() => createRng(1).nextInt(0)).toThrow(StatsInputError);
  });
});
