// lib/stats/beta.ts: the regularized incomplete beta function, its quantile and the Clopper–Pearson upper bound,
// against closed forms, the binomial identity and reference values from scipy 1.17 (scipy.special.betainc,
// scipy.stats.beta.ppf).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { StatsInputError, betaQuantile, clopperPearsonUpper, regularizedIncompleteBeta as I } from "@/lib/stats";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** P(Bin(n, p) > k) by summing the probability mass function in log space. */
function binomialUpperTail(n: number, p: number, k: number): number {
  let logC = 0; // log C(n, 0)
  let s = 0;
  for (let j = 0; j <= n; j++) {
    if (j > 0) logC += Math.log((n - j + 1) / j);
    if (j > k) s += Math.exp(logC + j * Math.log(p) + (n - j) * Math.log1p(-p));
  }
  return s;
}

describe("regularizedIncompleteBeta", () => {
  it("matches the closed forms I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.05, max: 200, noNaN: true }), (x, c) => {
        expect(rel(I(x, 1, c), -Math.expm1(c * Math.log1p(-x)))).toBeLessThan(1e-11);
        expect(rel(I(x, c, 1), x ** c)).toBeLessThan(1e-11);
      }),
    );
  });

  it("matches the binomial identity I_p(k + 1, n − k) = P(Bin(n, p) > k)", () => {
    for (const n of [1, 2, 5, 17, 60, 250]) {
      for (const p of [0.001, 0.03, 0.2, 0.5, 0.77, 0.999]) {
        for (let k = 0; k < n; k += Math.max(1, Math.floor(n / 7))) {
          const exact = binomialUpperTail(n, p, k);
          expect(Math.abs(I(p, k + 1, n - k) - exact), `n ${n} p ${p} k ${k}`).toBeLessThan(1e-12 + 1e-10 * exact);
        }
      }
    }
  });

  it("matches scipy.special.betainc", () => {
    const cases: [number, number, number, number][] = [
      [0.3, 2, 3, 0.34829999999999994],
      [0.001, 0.5, 0.5, 0.020135041633377492],
      [0.999, 0.5, 0.5, 0.9798649583666235],
      [0.49, 1000, 1000, 0.1855526594315119],
      [0.1, 50.5, 400.25, 0.2124695499295176],
      [1e-5, 0.1, 10, 0.41655822619209415],
      [0.9, 3000, 200, 1.938227516358187e-14],
      [0.2, 0.01, 0.01, 0.4931733002308647],
      [0.75, 7.3, 2.2, 0.394337484248081],
      [0.05, 1.5, 30, 0.6239781366788819],
    ];
    for (const [x, a, b, want] of cases) expect(rel(I(x, a, b), want), `I_${x}(${a}, ${b})`).toBeLessThan(1e-10);
  });

  it("is symmetric, I_x(a, b) = 1 − I_{1−x}(b, a), and I_½(a, a) = ½", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.1, max: 500, noNaN: true }), fc.double({ min: 0.1, max: 500, noNaN: true }), (x, a, b) => {
        expect(Math.abs(I(x, a, b) - (1 - I(1 - x, b, a)))).toBeLessThan(1e-11);
        expect(Math.abs(I(0.5, a, a) - 0.5)).toBeLessThan(1e-11);
      }),
    );
  });

  it("is a CDF: 0 at 0, 1 at 1, non-decreasing in x", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 300, noNaN: true }), fc.double({ min: 0.05, max: 300, noNaN: true }), (x1, x2, a, b) => {
        const [lo, hi] = x1 <= x2 ? [x1, x2] : [x2, x1];
        expect(I(lo, a, b)).toBeLessThanOrEqual(I(hi, a, b) + 1e-15);
      }),
    );
    expect(I(0, 2, 3)).toBe(0);
    expect(I(1, 2, 3)).toBe(1);
  });

  it("refuses bad parameters", () => {
    expect(() => I(0.5, 0, 1)).toThrow(StatsInputError);
    expect(() => I(0.5, 1, -1)).toThrow(StatsInputError);
    expect(() => I(1.5, 1, 1)).toThrow(StatsInputError);
    expect(() => I(Number.NaN, 1, 1)).toThrow(StatsInputError);
    expect(() => I(0.5, Infinity, 1)).toThrow(StatsInputError);
  });
});

describe("betaQuantile", () => {
  it("inverts the closed forms: a = 1 gives 1 − (1 − p)^{1/b}, b = 1 gives p^{1/a}", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), fc.double({ min: 0.05, max: 500, noNaN: true }), (p, c) => {
        expect(rel(betaQuantile(p, 1, c), -Math.expm1(Math.log1p(-p) / c))).toBeLessThan(1e-9);
        expect(rel(betaQuantile(p, c, 1), p ** (1 / c))).toBeLessThan(1e-9);
      }),
    );
  });

  it("matches scipy.stats.beta.ppf", () => {
    const cases: [number, number, number, number][] = [
      [0.95, 2, 3, 0.7513953742698181],
      [0.9, 5.5, 300.2, 0.028155376472082154],
      [0.05, 0.2, 0.3, 2.79307285185066e-6],
      [0.5, 0.7, 0.9, 0.40682216078354827],
      [0.99, 30, 3, 0.9860271514105825],
      [0.001, 4, 60, 0.006945351355816468],
      [0.9, 1.5, 1000.5, 0.0031184795771264403],
    ];
    for (const [p, a, b, want] of cases) expect(rel(betaQuantile(p, a, b), want), `ppf(${p}; ${a}, ${b})`).toBeLessThan(1e-9);
  });

  it("round-trips with the CDF", () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-8, max: 1 - 1e-8, noNaN: true }), fc.double({ min: 0.1, max: 2000, noNaN: true }), fc.double({ min: 0.1, max: 2000, noNaN: true }), (p, a, b) => {
        const x = betaQuantile(p, a, b);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        // Where the CDF is steep (b < 1 near x = 1, say) neighbouring doubles straddle p: accept that too.
        const close = Math.abs(I(x, a, b) - p) < 1e-9;
        const straddles = I(Math.max(0, x - 4e-16), a, b) <= p + 1e-12 && p <= I(Math.min(1, x + 4e-16), a, b) + 1e-12;
        expect(close || straddles, `x ${x}: I(x) = ${I(x, a, b)} vs p ${p}`).toBe(true);
      }),
    );
  });

  it("reaches tiny quantiles in relative precision", () => {
    // I_x(3, 4) ≈ 20 x³ near 0, so the 1e-300 quantile is (5e-302)^{1/3}.
    expect(rel(betaQuantile(1e-300, 3, 4), Math.cbrt(5e-302))).toBeLessThan(1e-9);
    expect(betaQuantile(0, 2, 2)).toBe(0);
    expect(betaQuantile(1, 2, 2)).toBe(1);
    expect(() => betaQuantile(1.2, 2, 2)).toThrow(StatsInputError);
  });
});

describe("clopperPearsonUpper", () => {
  it("has the closed forms at 0 and n − 1 successes", () => {
    // P(Bin(n, p) ≤ 0) = (1 − p)^n = α and P(Bin(n, p) ≤ n − 1) = 1 − p^n = α.
    for (const n of [1, 5, 30, 400]) {
      for (const alpha of [0.01, 0.05, 0.1, 0.5]) {
        expect(rel(clopperPearsonUpper(0, n, alpha), 1 - alpha ** (1 / n))).toBeLessThan(1e-10);
        if (n > 1) expect(rel(clopperPearsonUpper(n - 1, n, alpha), (1 - alpha) ** (1 / n))).toBeLessThan(1e-10);
      }
    }
  });

  it("matches hand-checked and scipy values", () => {
    // 0 of 30 at α = 0.1: 1 − 0.1^{1/30} = 0.0738812718712065 (beta.ppf(0.9, 1, 30)).
    expect(clopperPearsonUpper(0, 30, 0.1)).toBeCloseTo(0.07388127187120652, 12);
    // 3 of 100 at α = 0.05: beta.ppf(0.95, 4, 97) = 0.07571079374983004.
    expect(clopperPearsonUpper(3, 100, 0.05)).toBeCloseTo(0.07571079374983004, 12);
    // effective counts: 2.5 of 40.3 at α = 0.1: beta.ppf(0.9, 3.5, 37.8) = 0.14270901150898285.
    expect(clopperPearsonUpper(2.5, 40.3, 0.1)).toBeCloseTo(0.14270901150898285, 12);
  });

  it("is the exact binomial test: P(Bin(n, upper) ≤ k) = α", () => {
    for (const [k, n] of [[0, 10], [3, 10], [7, 50], [40, 41], [100, 1000]] as const) {
      const u = clopperPearsonUpper(k, n, 0.1);
      expect(Math.abs(1 - binomialUpperTail(n, u, k) - 0.1)).toBeLessThan(1e-9);
    }
  });

  it("gives 1 when every trial succeeded or there were none, and is monotone", () => {
    expect(clopperPearsonUpper(12, 12, 0.1)).toBe(1);
    expect(clopperPearsonUpper(0, 0, 0.1)).toBe(1);
    expect(clopperPearsonUpper(3.2, 3.2, 0.1)).toBe(1);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1, max: 500, noNaN: true }), (r1, r2, n) => {
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(clopperPearsonUpper(lo * n, n, 0.1)).toBeLessThanOrEqual(clopperPearsonUpper(hi * n, n, 0.1) + 1e-12);
        expect(clopperPearsonUpper(lo * n, n, 0.05)).toBeGreaterThanOrEqual(clopperPearsonUpper(lo * n, n, 0.1) - 1e-12);
        expect(clopperPearsonUpper(lo * n, n, 0.1)).toBeGreaterThanOrEqual(lo - 1e-12);
      }),
    );
  });

  it("refuses bad counts and levels", () => {
    expect(() => clopperPearsonUpper(5, 4, 0.1)).toThrow(StatsInputError);
    expect(() => clopperPearsonUpper(-1, 4, 0.1)).toThrow(StatsInputError);
    expect(() => clopperPearsonUpper(1, 4, 0)).toThrow(StatsInputError);
    expect(() => clopperPearsonUpper(1, 4, 1)).toThrow(StatsInputError);
    expect(() => clopperPearsonUpper(1, Number.NaN, 0.1)).toThrow(StatsInputError);
  });
});
