// lib/allocate/active.ts: π_i = min(1, max(π_min, λ√q_i)) with Σπ = budget.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocationInputError, activePis } from "@/lib/allocate";

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function fieldOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AllocationInputError);
    return (e as AllocationInputError).field;
  }
  return null;
}

describe("activePis", () => {
  it("computes the hand-checked water-filling solution", () => {
    // √q = 0.1 … 0.5, 1. With one item on the floor: 0.1 + λ(0.2 + 0.3 + 0.4 + 0.5 + 1) = 2 ⇒ λ = 1.9/2.4,
    // and λ·0.1 < 0.1 confirms the first item is floored, λ·1 < 1 that none is capped.
    const pis = activePis([0.01, 0.04, 0.09, 0.16, 0.25, 1], 2, 0.1);
    const lambda = 1.9 / 2.4;
    const want = [0.1, 0.2 * lambda, 0.3 * lambda, 0.4 * lambda, 0.5 * lambda, lambda];
    pis.forEach((p, i) => expect(p).toBeCloseTo(want[i]!, 14));
  });

  it("caps at 1 and spreads the rest", () => {
    // two items capped at 1; the remaining 1 over two items with √q = 0.1: λ = 5, π = 0.5 each.
    const pis = activePis([1, 0.81, 0.01, 0.01], 3, 0.05);
    expect(pis[0]).toBe(1);
    expect(pis[1]).toBe(1);
    expect(pis[2]).toBeCloseTo(0.5, 14);
    expect(pis[3]).toBeCloseTo(0.5, 14);
  });

  it("handles the edge cases: budget = n, the floor alone, all q = 0, q = 0 items when the rest are full", () => {
    expect(activePis([0.2, 0.5, 0.1], 3, 0.1)).toEqual([1, 1, 1]);
    const floorOnly = activePis([0.2, 0.5, 0.1, 0.3], 0.4, 0.1);
    floorOnly.forEach((p) => expect(p).toBeCloseTo(0.1, 12));
    expect(activePis([0, 0, 0, 0], 2, 0.1)).toEqual([0.5, 0.5, 0.5, 0.5]);
    const mixed = activePis([0.5, 0.5, 0, 0], 3, 0.1);
    expect(mixed).toEqual([1, 1, 0.5, 0.5]);
  });

  it("meets the budget when q spans hundreds of orders of magnitude", () => {
    const q = [6.5e-210, 0, 1e-224, 6.7e-116, 4.8e-14, 1.6e-14, 1.4e-169, 0, 6.4e-302, 7.6e-96, 0.3];
    for (const budget of [0.5, 2, 3.6, 7, 10.9]) {
      const pis = activePis(q, budget, 0.01);
      expect(Math.abs(sum(pis) - budget)).toBeLessThanOrEqual(1e-9 * budget);
      for (const p of pis) expect(p >= 0.01 && p <= 1).toBe(true);
    }
  });

  it("refuses a bad budget or π_min with the field named", () => {
    expect(fieldOf(() => activePis([0.1, 0.2], 3, 0.1))).toBe("budget");
    expect(fieldOf(() => activePis([0.1, 0.2], 0, 0.1))).toBe("budget");
    expect(fieldOf(() => activePis([0.1, 0.2], -1, 0.1))).toBe("budget");
    expect(fieldOf(() => activePis([0.1, 0.2], Number.NaN, 0.1))).toBe("budget");
    expect(fieldOf(() => activePis([0.1, 0.2], Infinity, 0.1))).toBe("budget");
    expect(fieldOf(() => activePis([], 1, 0.1))).toBe("budget");
    expect(fieldOf(() => activePis([0.1, 0.2], 1, 0))).toBe("piMin");
    expect(fieldOf(() => activePis([0.1, 0.2], 1, 1.5))).toBe("piMin");
    expect(fieldOf(() => activePis([0.1, 0.2], 1, Number.NaN))).toBe("piMin");
    expect(fieldOf(() => activePis([0.1, 0.2, 0.3], 1, 0.5))).toBe("piMin");
    expect(fieldOf(() => activePis([0.1, -0.2], 1, 0.1))).toBe("predictedError");
    expect(fieldOf(() => activePis([0.1, 0.2], 1, 0.5))).toBeNull();
  });

  const instance = fc
    .array(fc.double({ min: 0.001, max: 0.999, noNaN: true }), { minLength: 1, maxLength: 200 })
    .chain((q) =>
      fc.tuple(
        fc.constant(q),
        fc.double({ min: 0.001, max: 1, noNaN: true }), // budget as a share of n
        fc.double({ min: 0, max: 1, noNaN: true }), // π_min as a share of budget/n
      ),
    )
    .map(([q, share, floorShare]) => {
      const budget = Math.max(1e-6, share * q.length);
      return { q, budget, piMin: Math.max(1e-9, (floorShare * budget) / q.length) };
    });

  it("meets the budget to 1e-9 relative, keeps π in [π_min, 1], and is non-decreasing in q", () => {
    fc.assert(
      fc.property(instance, ({ q, budget, piMin }) => {
        const pis = activePis(q, budget, piMin);
        expect(Math.abs(sum(pis) - budget)).toBeLessThanOrEqual(1e-9 * budget);
        for (const p of pis) {
          expect(p).toBeGreaterThanOrEqual(piMin * (1 - 1e-12));
          expect(p).toBeLessThanOrEqual(1);
        }
        const order = q.map((_, i) => i).sort((a, b) => q[a]! - q[b]!);
        for (let k = 1; k < order.length; k++) expect(pis[order[k]!]!).toBeGreaterThanOrEqual(pis[order[k - 1]!]! - 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it("is proportional to √q between the floor and the cap, and equivariant under permutation", () => {
    fc.assert(
      fc.property(instance, fc.integer(), ({ q, budget, piMin }, seed) => {
        const pis = activePis(q, budget, piMin);
        const free = pis.map((p, i) => [p, Math.sqrt(q[i]!)] as const).filter(([p]) => p > piMin * (1 + 1e-9) && p < 1 - 1e-9);
        if (free.length >= 2) {
          const ratio = free[0]![0] / free[0]![1];
          for (const [p, s] of free) expect(Math.abs(p / s - ratio)).toBeLessThanOrEqual(1e-9 * ratio);
        }
        const perm = q.map((_, i) => i);
        let s = seed >>> 0;
        for (let i = perm.length - 1; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
          const j = s % (i + 1);
          [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        }
        const permuted = activePis(perm.map((i) => q[i]!), budget, piMin);
        perm.forEach((i, k) => expect(Math.abs(permuted[k]! - pis[i]!)).toBeLessThanOrEqual(1e-12));
      }),
      { numRuns: 200 },
    );
  });
});
