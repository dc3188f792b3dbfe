// lib/allocate/rounds.ts: per-round Hájek estimates combined with predictable weights.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocationInputError, combineRounds, roundWeight, type RoundData } from "@/lib/allocate";
import { Z_95, hajekMeanWithVariance, hajekProportion, kishEffectiveN, wilsonEffective } from "@/lib/stats";

function fieldOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AllocationInputError);
    return (e as AllocationInputError).field;
  }
  return null;
}

const round1: RoundData = { round: 1, weight: 3, pi: [0.5, 0.25, 1, 0.5, 0.2], drawn: [true, true, true, false, false] };
const round2: RoundData = { round: 2, weight: 1, pi: [0.5, 0.5, 0.5, 0.5, 0.5], drawn: [false, true, false, false, true] };
const y = [1, 0, 1, null, 1];

describe("combineRounds", () => {
  it("reproduces a hand-checked single round", () => {
    // weights 2, 4, 1: θ̂ = 3/7; V = [0.5/0.25·(4/7)² + 0.75/0.0625·(3/7)²]/7² = (20/7)/49 = 20/343
    const e = combineRounds(y, [round1])!;
    expect(e.estimate).toBeCloseTo(3 / 7, 15);
    expect(e.variance).toBeCloseTo(20 / 343, 15);
    expect(e.se).toBeCloseTo(Math.sqrt(20 / 343), 15);
    expect(e.lower).toBeCloseTo(3 / 7 - Z_95 * Math.sqrt(20 / 343), 14);
    expect(e.upper).toBeCloseTo(3 / 7 + Z_95 * Math.sqrt(20 / 343), 14);
    expect(e.nLabelled).toBe(3);
    expect(e.perRound).toEqual([{ round: 1, weight: 1, estimate: e.estimate, se: e.se, drawn: 3, labelled: 3 }]);
    const ref = hajekMeanWithVariance([1, 0, 1], [0.5, 0.25, 1]);
    expect(e.estimate).toBeCloseTo(ref.estimate, 15);
    expect(e.variance).toBeCloseTo(ref.variance, 15);
  });

  it("combines two rounds with normalised weights: θ̂ = Σ w̃θ̂_t, Var = Σ w̃²V̂_t", () => {
    // round 2: items 1 (y = 0) and 4 (y = 1) at π = ½: θ̂ = ½, V = 2·(½/¼)·¼/4² = 1/16.
    const e = combineRounds(y, [round1, round2])!;
    expect(e.estimate).toBeCloseTo(0.75 * (3 / 7) + 0.25 * 0.5, 15);
    expect(e.variance).toBeCloseTo(0.75 ** 2 * (20 / 343) + 0.25 ** 2 / 16, 15);
    expect(e.perRound.map((r) => [r.round, r.weight, r.labelled, r.drawn])).toEqual([
      [1, 0.75, 3, 3],
      [2, 0.25, 2, 2],
    ]);
    expect(e.perRound[1]!.estimate).toBeCloseTo(0.5, 15);
    expect(e.perRound[1]!.se).toBeCloseTo(0.25, 15);
    expect(e.nLabelled).toBe(4); // items 0, 1, 2, 4 (item 1 drawn twice counts once)
  });

  it("renormalises the weights over rounds with labels in the domain, and returns null when none has any", () => {
    const empty: RoundData = { round: 3, weight: 5, pi: [0.1, 0.1, 0.1, 0.1, 0.1], drawn: [false, false, false, true, false] };
    const e = combineRounds(y, [round1, empty])!;
    expect(e.estimate).toBeCloseTo(3 / 7, 15);
    expect(e.perRound[1]).toEqual({ round: 3, weight: 0, estimate: null, se: null, drawn: 1, labelled: 0 });
    expect(combineRounds(y, [empty])).toBeNull();
    expect(combineRounds(y, [])).toBeNull();
    expect(combineRounds([null, null], [{ round: 1, weight: 1, pi: [1, 1], drawn: [true, true] }])).toBeNull();
  });

  it("absorbs non-response by scaling π by labelled/drawn within the round", () => {
    const yNr = [1, 0, 1, null];
    const r: RoundData = { round: 1, weight: 1, pi: [0.5, 0.25, 1, 0.5], drawn: [true, true, true, true] };
    const e = combineRounds(yNr, [r])!;
    const ref = hajekMeanWithVariance([1, 0, 1], [0.375, 0.1875, 0.75]);
    expect(e.estimate).toBeCloseTo(3 / 7, 15); // a constant factor leaves the Hájek point estimate alone
    expect(e.variance).toBeCloseTo(ref.variance, 15);
    expect(e.variance).toBeGreaterThan(20 / 343);
    expect(e.perRound[0]).toMatchObject({ drawn: 4, labelled: 3 });
  });

  it("gives a proportion Wilson's interval at n_eff = min(θ̂(1 − θ̂)/V, labelled), or the Kish n when V = 0", () => {
    const e = combineRounds(y, [round1], { kind: "proportion" })!;
    const nStar = ((3 / 7) * (4 / 7)) / (20 / 343);
    expect(e.nEff).toBeCloseTo(Math.min(nStar, 3), 12);
    const w = wilsonEffective(3 / 7, e.nEff!, Z_95);
    expect(e.lower).toBeCloseTo(w.lower, 15);
    expect(e.upper).toBeCloseTo(w.upper, 15);
    expect(e.estimate).toBeCloseTo(3 / 7, 15);

    // A census where every label agrees: V = 0 and θ̂ = 1, yet the interval is not a point.
    const census = combineRounds(Array(40).fill(1), [{ round: 1, weight: 1, pi: Array(40).fill(1), drawn: Array(40).fill(true) }], { kind: "proportion" })!;
    expect(census.variance).toBe(0);
    expect(census.nEff).toBe(40);
    expect(census.upper).toBe(1);
    expect(census.lower).toBeCloseTo(40 / (40 + Z_95 ** 2), 12);

    // θ̂ = 1 under unequal weights: the Kish n (Σw)²/Σw², as the report's hajekProportion.
    const pis = [0.1, 0.5, 1, 1, 0.2, 0.3];
    const ones = combineRounds(Array(6).fill(1), [{ round: 1, weight: 1, pi: pis, drawn: Array(6).fill(true) }], { kind: "proportion" })!;
    expect(ones.nEff).toBeCloseTo(kishEffectiveN(pis.map((p) => 1 / p)), 12);
    const report = hajekProportion(Array(6).fill(true), pis);
    expect(ones.lower).toBeCloseTo(report.lower, 12);
  });

  it("uses the level it is given", () => {
    const e90 = combineRounds(y, [round1], { level: 0.9 })!;
    const e95 = combineRounds(y, [round1])!;
    expect(e90.upper - e90.lower).toBeLessThan(e95.upper - e95.lower);
    expect(e90.level).toBe(0.9);
  });

  it("refuses malformed rounds", () => {
    expect(fieldOf(() => combineRounds([1, 0], [{ round: 1, weight: 1, pi: [1], drawn: [true, true] }]))).toBe("rounds");
    expect(fieldOf(() => combineRounds([1, 0], [{ round: 1, weight: 1, pi: [1, 0], drawn: [true, true] }]))).toBe("pi");
    expect(fieldOf(() => combineRounds([1, 0], [{ round: 1, weight: 1, pi: [1, 1.2], drawn: [true, true] }]))).toBe("pi");
    expect(fieldOf(() => combineRounds([1, 0], [{ round: 1, weight: -1, pi: [1, 1], drawn: [true, true] }]))).toBe("weight");
    expect(fieldOf(() => combineRounds([1, 0], [{ round: 1, weight: 0, pi: [1, 1], drawn: [true, true] }]))).toBe("weight");
    expect(fieldOf(() => combineRounds([1, 2], [{ round: 1, weight: 1, pi: [1, 1], drawn: [true, true] }], { kind: "proportion" }))).toBe("y");
    expect(fieldOf(() => combineRounds([1, Number.NaN], [{ round: 1, weight: 1, pi: [1, 1], drawn: [true, true] }]))).toBe("y");
    expect(fieldOf(() => combineRounds([1, 0], [], { level: 1 }))).toBe("level");
  });

  const oneRound = fc.integer({ min: 1, max: 40 }).chain((n) =>
    fc.tuple(
      fc.array(fc.option(fc.boolean(), { freq: 5 }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    ),
  );

  it("with one round and full response, equals hajekMeanWithVariance and hajekProportion's point estimate", () => {
    fc.assert(
      fc.property(oneRound, ([labels, pi, drawn]) => {
        // full response: every drawn item has a label
        const yy = labels.map((l, i) => (drawn[i] ? (l ? 1 : 0) : l === null ? null : l ? 1 : 0));
        const e = combineRounds(yy, [{ round: 1, weight: 2.5, pi, drawn }], { kind: "proportion" });
        const idx = drawn.flatMap((d, i) => (d ? [i] : []));
        if (idx.length === 0) {
          expect(e).toBeNull();
          return;
        }
        const ys = idx.map((i) => yy[i]!);
        const ps = idx.map((i) => pi[i]!);
        const ref = hajekMeanWithVariance(ys, ps);
        expect(e!.estimate).toBeCloseTo(ref.estimate, 12);
        expect(e!.variance).toBeCloseTo(ref.variance, 12);
        expect(e!.estimate).toBeCloseTo(hajekProportion(ys, ps).estimate, 12);
        expect(e!.lower).toBeGreaterThanOrEqual(0);
        expect(e!.upper).toBeLessThanOrEqual(1);
        expect(e!.lower).toBeLessThanOrEqual(e!.estimate + 1e-12);
        expect(e!.upper).toBeGreaterThanOrEqual(e!.estimate - 1e-12);
        expect(e!.nEff!).toBeLessThanOrEqual(idx.length + 1e-9);
        expect(e!.nEff!).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("does not depend on the order of items or on a common scaling of the weights", () => {
    fc.assert(
      fc.property(oneRound, oneRound, fc.double({ min: 0.01, max: 100, noNaN: true }), ([l1, p1, d1], [, p2, d2], scale) => {
        const n = Math.min(l1.length, p2.length);
        const yy = l1.slice(0, n).map((l) => (l === null ? null : l ? 1 : 0));
        const rounds: RoundData[] = [
          { round: 1, weight: 1, pi: p1.slice(0, n), drawn: d1.slice(0, n) },
          { round: 2, weight: 3, pi: p2.slice(0, n), drawn: d2.slice(0, n) },
        ];
        const a = combineRounds(yy, rounds, { kind: "proportion" });
        const b = combineRounds(yy, rounds.map((r) => ({ ...r, weight: r.weight * scale })), { kind: "proportion" });
        const rev = (xs: readonly unknown[]) => [...xs].reverse();
        const c = combineRounds(rev(yy) as (number | null)[], rounds.map((r) => ({ ...r, pi: rev(r.pi) as number[], drawn: rev(r.drawn) as boolean[] })), { kind: "proportion" });
        if (a === null) {
          expect(b).toBeNull();
          expect(c).toBeNull();
          return;
        }
        for (const other of [b!, c!]) {
          expect(other.estimate).toBeCloseTo(a.estimate, 12);
          expect(other.variance).toBeCloseTo(a.variance, 12);
          expect(other.lower).toBeCloseTo(a.lower, 10);
          expect(other.upper).toBeCloseTo(a.upper, 10);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("roundWeight", () => {
  it("is the expected Kish size N²/Σ1/π: Σπ for equal π, N for a census", () => {
    expect(roundWeight([0.2, 0.2, 0.2, 0.2, 0.2])).toBeCloseTo(1, 14);
    expect(roundWeight([1, 1, 1])).toBe(3);
    expect(roundWeight([0.5, 1])).toBeCloseTo(4 / 3, 14);
    expect(roundWeight([])).toBe(0);
    expect(fieldOf(() => roundWeight([0.5, 0]))).toBe("pi");
  });
});
