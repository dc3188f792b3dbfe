import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { adaptiveState, describeK, isAdaptive, itemTarget, ratingsAgree } from "@/lib/assign/adaptive-k";

const likert = { type: "likert" } as const;
const nominal = [{ type: "binary" }, { type: "categorical" }, { type: "pairwise" }] as const;
const likertValues = fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 12 });
const distance = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 6 }), fc.double({ min: 0, max: 6, noNaN: true }));

describe("ratingsAgree", () => {
  it("examples: equal ratings agree; Likert within the distance agree; other scales ignore the distance", () => {
    expect(ratingsAgree([], likert)).toBe(true);
    expect(ratingsAgree([3], likert)).toBe(true);
    expect(ratingsAgree([3, 3], likert)).toBe(true);
    expect(ratingsAgree([3, 4], likert)).toBe(false);
    expect(ratingsAgree([3, 4], likert, 1)).toBe(true);
    expect(ratingsAgree([2, 3, 4], likert, 1)).toBe(false);
    expect(ratingsAgree([2, 3, 4], likert, 2)).toBe(true);
    expect(ratingsAgree([0, 1], { type: "binary" }, 5)).toBe(false);
    expect(ratingsAgree(["A", "A"], { type: "pairwise" })).toBe(true);
    expect(ratingsAgree(["A", "tie"], { type: "pairwise" }, 1)).toBe(false);
    expect(ratingsAgree(["good", "good", "bad"], { type: "categorical" })).toBe(false);
    // A category that looks like a number is not that number.
    expect(ratingsAgree(["2", 2], { type: "categorical" })).toBe(false);
    // A non-number on a Likert scale agrees with nothing.
    expect(ratingsAgree([3, "3"], likert, 5)).toBe(false);
  });

  it("Likert: agree exactly when max − min ≤ distance", () => {
    fc.assert(
      fc.property(likertValues, distance, (values, d) => {
        const expected = values.length < 2 || Math.max(...values) - Math.min(...values) <= d;
        expect(ratingsAgree(values, likert, d)).toBe(expected);
      }),
    );
  });

  it("does not depend on the order of the ratings", () => {
    fc.assert(
      fc.property(likertValues.chain((v) => fc.tuple(fc.constant(v), fc.shuffledSubarray(v, { minLength: v.length, maxLength: v.length }))), distance, ([values, shuffled], d) => {
        expect(ratingsAgree(shuffled, likert, d)).toBe(ratingsAgree(values, likert, d));
      }),
    );
  });

  it("a subset of agreeing ratings agrees; adding a rating never turns disagreement into agreement", () => {
    fc.assert(
      fc.property(likertValues, distance, fc.integer({ min: 1, max: 7 }), (values, d, extra) => {
        if (ratingsAgree([...values, extra], likert, d)) expect(ratingsAgree(values, likert, d)).toBe(true);
        if (!ratingsAgree(values, likert, d)) expect(ratingsAgree([...values, extra], likert, d)).toBe(false);
      }),
    );
  });

  it("a larger distance never turns agreement into disagreement; distance 0 means all equal", () => {
    fc.assert(
      fc.property(likertValues, distance, distance, (values, d1, d2) => {
        const [lo, hi] = d1 <= d2 ? [d1, d2] : [d2, d1];
        if (ratingsAgree(values, likert, lo)) expect(ratingsAgree(values, likert, hi)).toBe(true);
        expect(ratingsAgree(values, likert, 0)).toBe(new Set(values).size <= 1);
      }),
    );
  });

  it("binary, categorical and pairwise: agree exactly when all equal, whatever the distance", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...nominal),
        fc.array(fc.constantFrom<number | string>(0, 1, "A", "B", "tie", "good", "bad"), { maxLength: 10 }),
        distance,
        (rubric, values, d) => {
          expect(ratingsAgree(values, rubric, d)).toBe(new Set(values).size <= 1);
        },
      ),
    );
  });
});

describe("item target and state", () => {
  it("fixed k: the target is k and nothing is extended", () => {
    expect(isAdaptive({ k: 3, kMin: null })).toBe(false);
    expect(isAdaptive({ k: 3, kMin: 3 })).toBe(false);
    expect(itemTarget({ k: 3, kMin: null }, false)).toBe(3);
    expect(itemTarget({ k: 3, kMin: null }, true)).toBe(3);
    expect(describeK({ k: 3, kMin: null })).toBe("k = 3");
    expect(describeK({ k: 4, kMin: 2 })).toBe("k = 2–4");
  });

  it("adaptive: stops at kMin when the first kMin agree, else collects k; the decision uses the first kMin only", () => {
    const s = { k: 4, kMin: 2, agreeDistance: 0, rubric: likert };
    expect(adaptiveState(s, [])).toEqual({ extended: false, done: false, target: 2 });
    expect(adaptiveState(s, [3])).toEqual({ extended: false, done: false, target: 2 });
    expect(adaptiveState(s, [3, 3])).toEqual({ extended: false, done: true, target: 2 });
    expect(adaptiveState(s, [3, 5])).toEqual({ extended: true, done: false, target: 4 });
    expect(adaptiveState(s, [3, 5, 3])).toEqual({ extended: true, done: false, target: 4 });
    expect(adaptiveState(s, [3, 5, 3, 3])).toEqual({ extended: true, done: true, target: 4 });
    // Later ratings do not undo the decision of the first kMin.
    expect(adaptiveState(s, [3, 3, 1])).toEqual({ extended: false, done: true, target: 2 });
  });

  it("properties: target between kMin and k; done exactly at the target; never extended without kMin ratings", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
        likertValues,
        distance,
        (k, kMinRaw, values, d) => {
          const kMin = kMinRaw === null ? null : Math.min(kMinRaw, k);
          const s = { k, kMin, agreeDistance: d, rubric: likert };
          const st = adaptiveState(s, values);
          expect(st.target).toBeGreaterThanOrEqual(kMin ?? k);
          expect(st.target).toBeLessThanOrEqual(k);
          expect(st.done).toBe(values.length >= st.target);
          if (st.extended) {
            expect(isAdaptive(s)).toBe(true);
            expect(values.length).toBeGreaterThanOrEqual(kMin!);
            expect(ratingsAgree(values.slice(0, kMin!), likert, d)).toBe(false);
          }
          if (!isAdaptive(s)) expect(st.target).toBe(k);
        },
      ),
    );
  });
});
