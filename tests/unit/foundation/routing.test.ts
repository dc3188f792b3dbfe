import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { budgetedPis, routeItems, type RoutableItem } from "@/lib/routing/route-items";
import { groupRarityScores } from "@/lib/tail/group-rarity";
import { uniformFromKey } from "@/lib/random";

const policy = { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 };

describe("groupRarityScores", () => {
  it("scores the most common group 0 and others by the share of more frequent items", () => {
    const groups = ["en", "en", "en", "en", "es", "es", "fo", null];
    const s = groupRarityScores(groups);
    expect(s.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(s[4]).toBeCloseTo(4 / 8);
    // fo and the null group both have 1 item: tied, both above en+es = 6/8.
    expect(s[6]).toBeCloseTo(6 / 8);
    expect(s[7]).toBeCloseTo(6 / 8);
  });
  it("is in [0, 1) and invariant to row order", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("a", "b", "c", "d", null), { minLength: 1, maxLength: 60 }), (groups) => {
        const s = groupRarityScores(groups);
        const rev = groupRarityScores([...groups].reverse()).reverse();
        expect(s).toEqual(rev);
        for (const x of s) expect(x >= 0 && x < 1).toBe(true);
      }),
    );
  });
});

describe("routeItems", () => {
  const items: RoutableItem[] = [
    { key: "rare", confidence: 0.95, tail: 0.9 },
    { key: "unsure", confidence: 0.3, tail: 0.1 },
    { key: "missing-confidence", confidence: null, tail: 0 },
    ...Array.from({ length: 2000 }, (_, i) => ({ key: `bulk-${i}`, confidence: 0.9, tail: 0.2 })),
  ];

  it("routes rare and unsure items with π = 1 and samples the rest at the control rate", () => {
    const d = routeItems(items, policy, "seed-1");
    expect(d[0]).toMatchObject({ routed: true, pi: 1, reason: "tail" });
    expect(d[1]).toMatchObject({ routed: true, pi: 1, reason: "low_confidence" });
    expect(d[2]).toMatchObject({ routed: true, pi: 1, reason: "low_confidence" });
    const bulk = d.slice(3);
    expect(bulk.every((x) => x.pi === 0.1)).toBe(true);
    const rate = bulk.filter((x) => x.routed).length / bulk.length;
    expect(rate).toBeGreaterThan(0.07);
    expect(rate).toBeLessThan(0.13);
    expect(bulk.filter((x) => x.routed).every((x) => x.reason === "control")).toBe(true);
    expect(bulk.filter((x) => !x.routed).every((x) => x.reason === null && x.priority === 0)).toBe(true);
  });

  it("is reproducible from the seed and independent of row order", () => {
    const a = routeItems(items, policy, "seed-1");
    const b = routeItems([...items].reverse(), policy, "seed-1").reverse();
    expect(b).toEqual(a);
    const c = routeItems(items, policy, "seed-2");
    expect(c.map((x) => x.routed)).not.toEqual(a.map((x) => x.routed));
  });

  it("interleaves control items with targeted ones instead of ranking them last", () => {
    const d = routeItems(items, policy, "seed-1");
    const control = d.filter((x) => x.reason === "control").map((x) => x.priority);
    expect(Math.max(...control)).toBeGreaterThan(1.5);
    expect(Math.min(...control)).toBeLessThan(1.5);
  });

  it("with a budget, draws with π summing to the budget and every π in (0, 1]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ confidence: fc.double({ min: 0, max: 1, noNaN: true }), tail: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 5, maxLength: 200 }),
        fc.integer({ min: 1, max: 100 }),
        (rows, budget) => {
          const its = rows.map((r, i) => ({ key: String(i), ...r }));
          const d = routeItems(its, { ...policy, budget }, "s");
          const b = Math.min(budget, its.length);
          const sum = d.reduce((a, x) => a + x.pi, 0);
          for (const x of d) expect(x.pi > 0 && x.pi <= 1).toBe(true);
          if (budget < its.length) expect(Math.abs(sum - b)).toBeLessThan(1e-6 * its.length + 1e-6);
        },
      ),
    );
  });

  it("caps π at 1 and spreads the rest of the budget proportionally", () => {
    const pis = budgetedPis([10, 1, 1, 1, 1], 2);
    expect(pis[0]).toBe(1);
    for (const p of pis.slice(1)) expect(p).toBeCloseTo(0.25);
  });
});

describe("uniformFromKey", () => {
  it("is uniform enough and deterministic", () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => uniformFromKey("s", String(i)));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(uniformFromKey("s", "42")).toBe(xs[42]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
