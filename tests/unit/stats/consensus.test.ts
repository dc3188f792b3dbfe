import { describe, expect, it } from "vitest";
import {
  StatsInputError,
  createRng,
  dawidSkene,
  dawidSkeneFromMatrix,
  isMajorityTied,
  majorityVote,
  medianRating,
  voteCounts,
  type Annotation,
} from "@/lib/stats";

describe("majorityVote", () => {
  it("returns the most frequent value and ignores nulls", () => {
    expect(majorityVote([3, 1, 3, null, 2])).toBe(3);
    expect(majorityVote(["good", "bad", "good"])).toBe("good");
    expect(majorityVote([null, null])).toBeNull();
    expect(majorityVote([])).toBeNull();
  });

  it("breaks ties by category order when given, else by the smallest value", () => {
    expect(majorityVote([2, 1, 1, 2])).toBe(1);
    expect(majorityVote([2, 1, 1, 2], [2, 1])).toBe(2);
    expect(majorityVote(["b", "a"])).toBe("a");
    expect(majorityVote(["yes", "no"], ["yes", "no"])).toBe("yes");
    expect(isMajorityTied([2, 1, 1, 2])).toBe(true);
    expect(isMajorityTied([2, 1, 1])).toBe(false);
    expect(voteCounts([2, 1, 1, 3])).toEqual([
      { value: 1, count: 2 },
      { value: 2, count: 1 },
      { value: 3, count: 1 },
    ]);
  });

  it("rejects values missing from the category order", () => {
    expect(() => majorityVote(["x"], ["a", "b"])).toThrow(StatsInputError);
  });
});

describe("medianRating", () => {
  it("takes the middle rating, with a choice for even counts", () => {
    expect(medianRating([5, 1, 3])).toBe(3);
    expect(medianRating([4, 1, 2, 3])).toBe(2.5);
    expect(medianRating([4, 1, 2, 3], "lower")).toBe(2);
    expect(medianRating([4, 1, 2, 3], "upper")).toBe(3);
    expect(medianRating([null, 4, null])).toBe(4);
    expect(medianRating([null])).toBeNull();
  });
});

/** 400 items, 3 classes, 3 careful annotators (90% right) and 3 careless (25% right, skewed). */
function simulate(seed: number): { truth: number[]; annotations: Annotation[] } {
  const rng = createRng(seed);
  const truth = Array.from({ length: 400 }, () => (rng.next() < 0.5 ? 0 : rng.next() < 0.6 ? 1 : 2));
  const annotations: Annotation[] = [];
  truth.forEach((t, item) => {
    for (let annotator = 0; annotator < 6; annotator++) {
      if (rng.next() < 0.2) continue; // not every annotator sees every item
      const careful = annotator < 3;
      let label: number;
      if (careful) label = rng.next() < 0.9 ? t : (t + 1 + rng.nextInt(2)) % 3;
      else label = rng.next() < 0.25 ? t : (t + 1) % 3; // systematic confusion
      annotations.push({ item, annotator, label });
    }
  });
  return { truth, annotations };
}

describe("dawidSkene", () => {
  const { truth, annotations } = simulate(7);
  const input = { nItems: truth.length, nAnnotators: 6, nClasses: 3, annotations };
  const fit = dawidSkene(input);

  it("converges to proper distributions", () => {
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeGreaterThan(1);
    for (const row of fit.posteriors) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(fit.priors.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    for (const m of fit.confusion) for (const row of m) expect(row.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
  });

  it("learns who is reliable and beats the majority vote", () => {
    const accuracy = (labels: (number | null)[]) => labels.filter((l, i) => l === truth[i]).length / truth.length;
    const byItem = truth.map((_, i) => annotations.filter((a) => a.item === i).map((a) => a.label));
    const majority = accuracy(byItem.map((labels) => majorityVote(labels)));
    const ds = accuracy(fit.labels);
    expect(ds).toBeGreaterThan(majority + 0.05);
    expect(ds).toBeGreaterThan(0.9);
    // careful annotators' diagonals are high, careless ones' low
    for (let a = 0; a < 3; a++) for (let k = 0; k < 3; k++) expect(fit.confusion[a]![k]![k]!).toBeGreaterThan(0.8);
    for (let a = 3; a < 6; a++) for (let k = 0; k < 3; k++) expect(fit.confusion[a]![k]![k]!).toBeLessThan(0.4);
  });

  it("is deterministic and respects the iteration cap", () => {
    expect(dawidSkene(input)).toEqual(fit);
    const capped = dawidSkene(input, { maxIterations: 1, tolerance: 1e-12 });
    expect(capped.iterations).toBe(1);
    expect(capped.converged).toBe(false);
  });

  it("gives unannotated items the class priors", () => {
    const r = dawidSkene({ nItems: 3, nAnnotators: 2, nClasses: 2, annotations: [
      { item: 0, annotator: 0, label: 1 },
      { item: 0, annotator: 1, label: 1 },
      { item: 1, annotator: 0, label: 0 },
      { item: 1, annotator: 1, label: 0 },
    ] });
    expect(r.posteriors[2]).toEqual(r.priors);
    expect(r.labels.slice(0, 2)).toEqual([1, 0]);
  });

  it("maps labels through a raters × items matrix", () => {
    const r = dawidSkeneFromMatrix([
      ["ok", "bad", "ok", null],
      ["ok", "bad", "bad", "ok"],
      ["ok", "bad", "ok", "ok"],
    ]);
    expect(r.categories).toEqual(["bad", "ok"]);
    expect(r.labels.map((l) => r.categories[l])).toEqual(["ok", "bad", "ok", "ok"]);
  });

  it("rejects out-of-range annotations", () => {
    expect(() => dawidSkene({ nItems: 1, nAnnotators: 1, nClasses: 2, annotations: [{ item: 0, annotator: 0, label: 2 }] })).toThrow(
      StatsInputError,
    );
  });
});
