import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cohenKappa,
  createRng,
  kappaFromFlat,
  logGamma,
  poissonDraw,
  spearmanFromFlat,
  tableBootstrap,
  tableBootstrapMany,
  typeUnits,
  typeUnitsBy,
  type UnitType,
} from "@/lib/stats";

const SCALE = [0, 1, 2, 3, 4];

/** n judge × consensus pairs on a 5-point scale, the consensus within one point of the judge. */
function pairsOf(n: number, seed: number): [number, number][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const a = rng.nextInt(5);
    return [a, Math.min(4, Math.max(0, a + rng.nextInt(3) - 1))];
  });
}
const typesOf = (xs: readonly [number, number][]): UnitType[] => typeUnits(xs.map(([a, b]) => ({ cells: [a * 5 + b], amounts: [1] })));

describe("Poisson draws and log Γ", () => {
  it("have mean and variance λ (inversion and PTRS), the right P(X = 12) for λ = 10, and log Γ is right", () => {
    const rng = createRng(3);
    for (const lambda of [1, 7, 10, 30, 49.5, 200, 5000]) {
      const xs = Array.from({ length: 20_000 }, () => poissonDraw(lambda, Math.exp(-lambda), rng));
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
      expect(Math.abs(m - lambda)).toBeLessThan(0.05 * lambda + 0.05);
      expect(Math.abs(v - lambda)).toBeLessThan(0.1 * lambda + 0.1);
    }
    // P(X = 12) for λ = 10, from the sampler vs the formula e^{−λ} λ^k / k!.
    const draws = Array.from({ length: 50_000 }, () => poissonDraw(10, Math.exp(-10), rng));
    expect(Math.abs(draws.filter((x) => x === 12).length / draws.length - 0.0947803)).toBeLessThan(0.006);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(logGamma(20.5)).toBeCloseTo(40.8315009745308, 9); // Python math.lgamma(20.5)
  });
});

describe("typeUnits", () => {
  it("groups identical contributions and keeps every unit", () => {
    const xs = pairsOf(400, 11);
    const types = typesOf(xs);
    expect(types.length).toBeLessThanOrEqual(25);
    expect(types.reduce((s, t) => s + t.count, 0)).toBe(400);
    const byKey = typeUnitsBy(xs, ([a, b]) => a * 5 + b, ([a, b]) => ({ cells: [a * 5 + b], amounts: [1] }));
    expect(new Set(byKey.map((t) => `${t.cells}:${t.count}`))).toEqual(new Set(types.map((t) => `${t.cells}:${t.count}`)));
  });
});

describe("tableBootstrap", () => {
  it("is deterministic for a seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 20, max: 200 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (n, seed) => {
        const types = typesOf(pairsOf(n, seed));
        const stat = (flat: Float64Array) => kappaFromFlat(flat, 5, "quadratic");
        const options = { resamples: 200, seed };
        expect(tableBootstrap(types, 25, stat, options)).toEqual(tableBootstrap(types, 25, stat, options));
      }),
      { numRuns: 30 },
    );
  });

  it("brackets the estimate, which is the statistic of the whole table", () => {
    const xs = pairsOf(400, 11);
    // A statistic through lib/stats' array entry point, to check the bootstrap's summed table.
    const stat = (flat: Float64Array) => {
      const a: number[] = [];
      const b: number[] = [];
      flat.forEach((n, cell) => {
        for (let r = 0; r < n; r++) {
          a.push(Math.floor(cell / 5));
          b.push(cell % 5);
        }
      });
      return cohenKappa(a, b, "quadratic", SCALE);
    };
    const one = tableBootstrap(typesOf(xs), 25, stat, { resamples: 1000, seed: 5 })!;
    expect(one.estimate).toBeCloseTo(cohenKappa(xs.map((p) => p[0]), xs.map((p) => p[1]), "quadratic", SCALE), 12);
    expect(one.lower).toBeLessThan(one.estimate);
    expect(one.upper).toBeGreaterThan(one.estimate);
    expect(one.upper - one.lower).toBeLessThan(0.2);
  });

  it("shares resamples across statistics: tableBootstrapMany gives what separate runs with the seed give", () => {
    const types = typesOf(pairsOf(150, 2));
    const stats = [
      (flat: Float64Array) => kappaFromFlat(flat, 5, "unweighted"),
      (flat: Float64Array) => kappaFromFlat(flat, 5, "linear"),
      (flat: Float64Array) => spearmanFromFlat(flat, SCALE, SCALE),
    ];
    const options = { resamples: 500, seed: 9 };
    const many = tableBootstrapMany(types, 25, stats, options);
    expect(many).toEqual(stats.map((f) => tableBootstrap(types, 25, f, options)));
  });

  it("is null where the statistic is undefined", () => {
    const constant = typeUnits([{ cells: [6], amounts: [1] }, { cells: [6], amounts: [1] }]);
    expect(tableBootstrap(constant, 25, (flat) => kappaFromFlat(flat, 5, "unweighted"), { resamples: 100, seed: 1 })).toBeNull();
  });
});
