import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cohenKappa, createRng, krippendorffAlpha, predictionPoweredJudgeBias, spearmanRho } from "@/lib/stats";
import { bucketIndex, DECILE_CUTS, flagWorse, parseReportParams, reportCacheKey, topDisagreements, type StratumReport } from "@/lib/report";
import { predictionPoweredBias } from "@/lib/report/stratum";
import { alphaFromFlat, kappaFromFlat, kishEffectiveN, logGamma, poissonDraw, spearmanFromTable, tableBootstrap, typeUnits, unitCoincidences, wilsonEffective } from "@/lib/report/tables";
import { buildUnits, cellKey } from "@/lib/report/units";
import { sortWorstFirst } from "@/components/reports/group-table";

const likert = { type: "likert" as const, min: 1, max: 5 };

describe("report parameters", () => {
  it("defaults to deciles and minimum n 20; accepts researcher cut points", () => {
    expect(parseReportParams({})).toEqual({ cuts: DECILE_CUTS, minN: 20 });
    expect(parseReportParams({ cuts: "0.5, 0.8", minN: "5" })).toEqual({ cuts: [0.5, 0.8], minN: 5 });
    expect(reportCacheKey({ cuts: [0.5, 0.8], minN: 5 })).toBe("v1|cuts=0.5,0.8|minN=5");
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

describe("table statistics agree with lib/stats", () => {
  const pairs = fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 })), { minLength: 3, maxLength: 40 });
  const tableOf = (xs: [number, number][]) => {
    const t = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
    for (const [a, b] of xs) t[a - 1]![b - 1]! += 1;
    return t;
  };
  it("Spearman's ρ from a table equals spearmanRho on the pairs", () => {
    fc.assert(
      fc.property(pairs, (xs) => {
        const expected = spearmanRho(xs.map((p) => p[0]), xs.map((p) => p[1]));
        const got = spearmanFromTable(tableOf(xs), [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
        if (Number.isNaN(expected)) return Number.isNaN(got);
        return Math.abs(got - expected) < 1e-9;
      }),
    );
  });
  it("α from summed unit coincidences equals krippendorffAlpha (interval and nominal, with weights)", () => {
    const units = fc.array(fc.tuple(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }), fc.constantFrom(1, 2, 10)), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(units, (us) => {
        const raters = 4;
        const matrix = Array.from({ length: raters }, (_, r) => us.map(([vals]) => vals[r] ?? null));
        const flat = new Float64Array(25);
        for (const [vals, w] of us) {
          const c = unitCoincidences(vals.map((v) => v - 1), 5);
          c.cells.forEach((cell, i) => (flat[cell]! += w * c.amounts[i]!));
        }
        for (const level of ["interval", "nominal", "ordinal"] as const) {
          const expected = krippendorffAlpha(matrix, level, { unitWeights: us.map(([, w]) => w) });
          const got = alphaFromFlat(flat, [1, 2, 3, 4, 5], level);
          if (Number.isNaN(expected) ? !Number.isNaN(got) : Math.abs(got - expected) > 1e-9) return false;
        }
        return true;
      }),
    );
  });
  it("the prediction-powered bias from N and the labelled items equals predictionPoweredJudgeBias over all items", () => {
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
  it("the superpopulation SE keeps a fully labelled stratum's bias interval open", () => {
    const b = predictionPoweredBias(4, [{ d: 1, pi: 1 }, { d: 0, pi: 1 }, { d: 2, pi: 1 }, { d: 1, pi: 1 }]);
    expect(b.estimate).toBe(1);
    expect(b.seDesign).toBe(0);
    expect(b.seSuper).toBeCloseTo(Math.sqrt(0.5 / 4), 12);
    expect(b.lower).toBeLessThan(1);
  });
});

describe("bootstrap and intervals", () => {
  it("Poisson draws have mean and variance λ (inversion and PTRS) and log Γ is right", () => {
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
  it("the table bootstrap of κ is seeded, brackets the estimate, and types identical units", () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 400 }, () => {
      const a = rng.nextInt(5);
      return [a, Math.min(4, Math.max(0, a + rng.nextInt(3) - 1))] as [number, number];
    });
    const types = typeUnits(xs.map(([a, b]) => ({ cells: [a * 5 + b], amounts: [1] })));
    expect(types.length).toBeLessThanOrEqual(25);
    expect(types.reduce((s, t) => s + t.count, 0)).toBe(400);
    const stat = (flat: Float64Array) => {
      const t = Array.from({ length: 5 }, (_, i) => Array.from(flat.subarray(i * 5, i * 5 + 5)));
      const a: number[] = [];
      const b: number[] = [];
      t.forEach((row, i) => row.forEach((n, j) => { for (let k = 0; k < n; k++) { a.push(i); b.push(j); } }));
      return cohenKappa(a, b, "quadratic", [0, 1, 2, 3, 4]);
    };
    const one = tableBootstrap(types, 25, stat, { resamples: 1000, seed: 5 })!;
    const two = tableBootstrap(types, 25, stat, { resamples: 1000, seed: 5 })!;
    expect(one).toEqual(two);
    expect(one.estimate).toBeCloseTo(cohenKappa(xs.map((p) => p[0]), xs.map((p) => p[1]), "quadratic", [0, 1, 2, 3, 4]), 12);
    expect(one.lower).toBeLessThan(one.estimate);
    expect(one.upper).toBeGreaterThan(one.estimate);
    expect(one.upper - one.lower).toBeLessThan(0.2);
    // The allocation-free κ used inside the report equals lib/stats' on the same table.
    const flat = new Float64Array(25);
    for (const [a, b] of xs) flat[a * 5 + b]! += 1;
    expect(kappaFromFlat(flat, 5, "quadratic")).toBeCloseTo(one.estimate, 12);
    expect(kappaFromFlat(flat, 5, "unweighted")).toBeCloseTo(cohenKappa(xs.map((p) => p[0]), xs.map((p) => p[1])), 12);
  });
  it("Wilson at the Kish effective n reduces to Wilson with equal weights and widens with unequal ones", () => {
    expect(kishEffectiveN([1, 1, 1, 1])).toBe(4);
    expect(kishEffectiveN([1, 10, 1, 10])).toBeCloseTo(484 / 202, 12);
    const equal = wilsonEffective(0.5, 40);
    const unequal = wilsonEffective(0.5, 10);
    expect(unequal.upper - unequal.lower).toBeGreaterThan(equal.upper - equal.lower);
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
    counts: { items, routed: 0, fullyJudged: 0, labelled: 50, pairable: 50 }, enough: true,
    humanAlpha: null, humanAgreement: null, judgeAgreement: { estimate: est, lower: est - half, upper: est + half },
    judgeAgreementNaive: null, kappa: null, rho: null, bias: null, biasNaive: null, worse: null,
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
      return { itemId, externalId: `e${itemId}`, group, bucket: 0, cell: "", w: 1, pi: 1, codes, alphaKey: [...codes].sort().join(",") + "|0", weightId: 0, pairShare: Number.NaN, judge, consensus, consensusValue: consensus + 1, support: codes.filter((c) => c === consensus).length / codes.length };
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
