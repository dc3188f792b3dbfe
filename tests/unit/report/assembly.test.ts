import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { bucketIndex, DECILE_CUTS, flagWorse, parseReportParams, reportCacheKey, topDisagreements, type StratumReport } from "@/lib/report";
import { buildUnits, cellKey, consensusMethods, effectiveConsensus, itemConsensus, nearestIndex } from "@/lib/report/units";
import { sortWorstFirst } from "@/components/reports/group-table";

const likert = { type: "likert" as const, min: 1, max: 5 };

describe("report parameters", () => {
  it("defaults to deciles and minimum n 20; accepts researcher cut points", () => {
    expect(parseReportParams({})).toEqual({ cuts: DECILE_CUTS, minN: 20, reference: { kind: "bucket" } });
    expect(parseReportParams({ cuts: "0.5, 0.8", minN: "5" })).toEqual({ cuts: [0.5, 0.8], minN: 5, reference: { kind: "bucket" } });
    expect(reportCacheKey({ cuts: [0.5, 0.8], minN: 5, reference: { kind: "bucket" } })).toBe("v3|cuts=0.5,0.8|minN=5|ref=bucket|run=latest");
  });
  it("takes an explicit reference group and a routing run; refuses anything else", () => {
    const run = "5f0c6a3e-8b1d-4c2e-9f3a-1b2c3d4e5f60";
    expect(parseReportParams({ ref: "group:sw", run })).toEqual({ cuts: DECILE_CUTS, minN: 20, reference: { kind: "group", group: "sw" }, run });
    expect(reportCacheKey(parseReportParams({ ref: "group:sw", run }))).toBe(`v3|cuts=${DECILE_CUTS.join(",")}|minN=20|ref=group:sw|run=${run}`);
    expect(() => parseReportParams({ ref: "language" })).toThrow(/ref must be/);
    expect(() => parseReportParams({ ref: "group:" })).toThrow(/ref must be/);
    expect(() => parseReportParams({ run: "latest" })).toThrow(/routing run id/);
  });
  it("refuses unordered, out-of-range or junk cut points", () => {
    for (const cuts of ["0.8,0.5", "0,0.5", "0.5,1", "a,b", "0.5,0.5"]) expect(() => parseReportParams({ cuts })).toThrow();
    expect(() => parseReportParams({ minN: "1" })).toThrow();
  });
  it("buckets like PostgreSQL's width_bucket: [0, c1), [c1, c2), …, [c_m, 1]", () => {
    expect(bucketIndex(0, [0.5])).toBe(0);
    expect(bucketIndex(0.4999, [0.5])).toBe(0);
    expect(bucketIndex(0.5, [0.5])).toBe(1);
    expect(bucketIndex(1, DECILE_CUTS)).toBe(9);
    expect(bucketIndex(null, DECILE_CUTS)).toBeNull();
  });
});

describe("units, flags and disagreements", () => {
  it("weights labelled items up for routed items still waiting, per cell", () => {
    const row = (id: number, values: number[], group = "a") => ({ itemId: id, externalId: `e${id}`, group, tail: 0, pi: 0.5, reason: "control", judgeScore: 3, values });
    const routed = new Map([[cellKey("a", 0, "control"), 4]]);
    const { units } = buildUnits([row(1, [3, 3, 5]), row(2, [2, 4])], likert, DECILE_CUTS, routed);
    // 2 of 4 routed items rated: π_eff = 0.5 × 0.5.
    expect(units.map((u) => u.w)).toEqual([4, 4]);
    // Median of [2, 4] ties to the lower rating for agreement and κ, averages for the bias.
    expect(units[1]!.consensus).toBe(1);
    expect(units[1]!.consensusValue).toBe(3);
    expect(units[0]!.support).toBeCloseTo(2 / 3, 12);
  });
  it("nominal consensus is the majority, ties to the first option; off-scale ratings are counted and dropped", () => {
    const rubric = { type: "categorical" as const, options: ["x", "y", "z"] };
    const { units, offScale } = buildUnits(
      [{ itemId: 1, externalId: "e1", group: null, tail: null, pi: 1, reason: "tail", judgeScore: "z", values: ["y", "x", "w"] }],
      rubric,
      DECILE_CUTS,
      new Map(),
    );
    expect(offScale).toBe(1);
    expect(units[0]!.consensus).toBe(0);
    expect(units[0]!.judge).toBe(2);
    expect(units[0]!.bucket).toBeNull();
  });
  const stratum = (key: string, est: number, half: number, items = 100): StratumReport => ({
    kind: "group", key, label: key, range: null,
    counts: { items, judged: items, routed: 0, sampled: 0, fullyJudged: 0, labelled: 50, pairable: 50 }, enough: true,
    humanAlpha: null, humanAgreement: null, judgeAgreement: { estimate: est, lower: est - half, upper: est + half },
    judgeAgreementNaive: null, kappa: null, kappaUnweighted: null, kappaLinear: null, kappaQuadratic: null, rho: null, rhoMean: null,
    bias: null, biasNaive: null, biasMean: null, biasMeanNaive: null, worse: null,
  });
  it("flags strata significantly worse than the reference after Benjamini–Hochberg", () => {
    const ref = stratum("en", 0.8, 0.05, 1000);
    const out = flagWorse([ref, stratum("fo", 0.4, 0.1), stratum("es", 0.78, 0.1), stratum("qu", 0.95, 0.05)], ref);
    expect(out[0]!.worse).toBeNull();
    expect(out[1]!.worse!.flagged).toBe(true);
    expect(out[2]!.worse!.flagged).toBe(false);
    expect(out[3]!.worse!.flagged).toBe(false);
    expect(out[1]!.worse!.q).toBeGreaterThanOrEqual(out[1]!.worse!.p);
    expect(sortWorstFirst(out).map((s) => s.key)).toEqual(["fo", "es", "en", "qu"]);
  });
  it("keeps the top disagreements per (group, bucket) cell, biggest gap first, confident consensus only", () => {
    const u = (itemId: number, group: string, judge: number, codes: number[]) => {
      const consensus = [...codes].sort((a, b) => a - b)[Math.floor((codes.length - 1) / 2)]!;
      return { itemId, externalId: `e${itemId}`, version: 1, group, bucket: 0, cell: "", w: 1, pi: 1, codes, hhCodes: codes, alphaKey: [...codes].sort().join(",") + "|0", weightId: 0, pairShare: Number.NaN, judge, judgeValue: judge + 1, consensus, consensusValue: consensus + 1, humanMean: consensus + 1, support: codes.filter((c) => c === consensus).length / codes.length };
    };
    const units = [u(1, "a", 4, [0, 0, 0]), u(2, "a", 2, [0, 0]), u(3, "a", 4, [0]), u(4, "a", 4, [0, 1, 2]), u(5, "b", 4, [1, 1]), u(6, "a", 0, [0, 0])];
    const rows = topDisagreements(units, likert, () => "0–0.1", 1);
    expect(rows.map((r) => r.itemId)).toEqual([1, 5]);
    expect(topDisagreements(units, likert, () => "0–0.1").map((r) => r.itemId)).toEqual([1, 5, 2]);
    expect(rows[0]).toMatchObject({ judge: 5, consensus: 1, gap: 4, ratings: 3 });
  });
});

describe("analysis units (the report's hot loop)", () => {
  it("match the consensus definitions of lib/stats and key α types by multiset and weight", async () => {
    const { majorityVote, medianRating } = await import("@/lib/stats");
    const rating = fc.integer({ min: 1, max: 5 });
    const row = fc.record({ values: fc.array(rating, { minLength: 1, maxLength: 14 }), judge: fc.option(rating, { nil: null }), pi: fc.constantFrom(1, 0.5, 0.1) });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), fc.constantFrom<"likert" | "categorical">("likert", "categorical"), (rows, kind) => {
        const rubric = kind === "likert" ? likert : { type: "categorical" as const, options: ["1", "2", "3", "4", "5"] };
        const enc = (v: number) => (kind === "likert" ? v : String(v));
        const labelled = rows.map((r, i) => ({ itemId: i, externalId: `e${i}`, group: "g", tail: 0.5, pi: r.pi, reason: "tail", judgeScore: r.judge === null ? null : enc(r.judge), values: r.values.map(enc) }));
        const { units } = buildUnits(labelled, rubric, DECILE_CUTS, new Map());
        expect(units).toHaveLength(rows.length);
        units.forEach((u, i) => {
          const codes = rows[i]!.values.map((v) => v - 1);
          expect(u.codes).toEqual(codes);
          const consensus = kind === "likert" ? medianRating(codes, "lower") : majorityVote(codes);
          expect(u.consensus).toBe(consensus);
          if (kind === "likert") expect(u.consensusValue).toBe(medianRating(rows[i]!.values, "mean"));
          expect(u.support).toBeCloseTo(codes.filter((c) => c === consensus).length / codes.length, 12);
        });
        for (const a of units) {
          for (const b of units) {
            const same = [...a.codes].sort().join() === [...b.codes].sort().join() && a.w === b.w;
            expect(a.alphaKey === b.alphaKey).toBe(same);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("keeps cell keys apart for null and text that looks like a separator", () => {
    const keys = [cellKey(null, null, null), cellKey("n", null, null), cellKey(null, 1, "tail"), cellKey("a\u0001b", 1, "tail"), cellKey("a", 1, "tail"), cellKey("a", 10, "tail")];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("consensus methods and judge scores", () => {
  const numeric = [1, 2, 3, 4, 5];
  const sorted = (codes: number[]) => [...codes].sort((a, b) => a - b);
  it("forms each consensus as documented", () => {
    const codes = [0, 3, 4, 3]; // ratings 1, 4, 5, 4
    expect(itemConsensus("median", sorted(codes), codes, numeric)).toEqual({ code: 3, value: 4 });
    expect(itemConsensus("majority", sorted(codes), codes, numeric)).toEqual({ code: 3, value: 4 });
    // Mean 3.5: the value as is; the category is the nearest point, halves up (4).
    expect(itemConsensus("mean", sorted(codes), codes, numeric)).toEqual({ code: 3, value: 3.5 });
    expect(itemConsensus("dawid_skene", sorted(codes), codes, numeric, 4)).toEqual({ code: 4, value: 5 });
    // Even count, middle two differ: lower median as the category, their average as the value.
    expect(itemConsensus("median", [1, 2], [2, 1], numeric)).toEqual({ code: 1, value: 2.5 });
    // Majority ties go to the lower category; nominal rubrics have no value.
    expect(itemConsensus("majority", [0, 2], [2, 0], null)).toEqual({ code: 0, value: null });
  });
  it("admits only the methods that fit the rubric, and falls back to the rubric's default", () => {
    expect(consensusMethods(likert)).toEqual(["median", "majority", "mean", "dawid_skene"]);
    expect(consensusMethods({ type: "categorical", options: ["a", "b"] })).toEqual(["majority", "dawid_skene"]);
    expect(effectiveConsensus({ type: "categorical", options: ["a", "b"] }, "mean")).toBe("majority");
    expect(effectiveConsensus(likert, "mean")).toBe("mean");
    expect(effectiveConsensus(likert, null)).toBe("median");
    expect(effectiveConsensus({ type: "binary", labels: ["no", "yes"] }, null)).toBe("majority");
  });
  it("rounds a fractional judge score to the nearest point for agreement and keeps it for the bias", () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 5, noNaN: true }), (x) => {
        const i = nearestIndex(numeric, x);
        expect(Math.abs(numeric[i]! - x)).toBeLessThanOrEqual(0.5);
        if (Math.abs(numeric[i]! - x) === 0.5) expect(numeric[i]!).toBeGreaterThan(x);
      }),
    );
    const { units } = buildUnits([{ itemId: 1, externalId: "e", group: null, tail: 0.1, pi: 1, reason: "tail", judgeScore: 3.5, values: [4, 4] }], likert, DECILE_CUTS, new Map());
    expect(units[0]).toMatchObject({ judge: 3, judgeValue: 3.5, consensus: 3, consensusValue: 4, humanMean: 4 });
    // Off the scale even as a fraction: no judge.
    expect(buildUnits([{ itemId: 1, externalId: "e", group: null, tail: 0.1, pi: 1, reason: "tail", judgeScore: 5.5, values: [4] }], likert, DECILE_CUTS, new Map()).units[0]!.judge).toBeNull();
  });
  it("fits Dawid–Skene on every labelled item when asked, learning a rater who always dissents", () => {
    // Two reliable raters agree with each other; a third always says 1. DS discounts the third.
    const rows = Array.from({ length: 30 }, (_, i) => {
      const v = 2 + (i % 4);
      return { itemId: i, externalId: `e${i}`, group: null, tail: 0.1, pi: 1, reason: "tail", judgeScore: v, values: [v, v, 1], raters: ["a", "b", "c"] };
    });
    const { units } = buildUnits(rows, likert, DECILE_CUTS, new Map(), "dawid_skene");
    units.forEach((u, i) => expect(u.consensus).toBe(1 + (i % 4)));
  });
});
