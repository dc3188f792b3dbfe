import { describe, expect, it } from "vitest";
import { scaleOptions } from "@/lib/assign/shortcuts";
import { submitJudgmentBody } from "@/lib/assign/judge-input";

describe("rating keys", () => {
  it("uses the value itself as the key on a 1–5 likert scale, positions otherwise", () => {
    expect(scaleOptions({ type: "likert", min: 1, max: 5, labels: { "1": "Bad" } }).map((o) => [o.value, o.key, o.hint])).toEqual([
      [1, "1", "Bad"], [2, "2", ""], [3, "3", ""], [4, "4", ""], [5, "5", ""],
    ]);
    expect(scaleOptions({ type: "likert", min: -2, max: 2 }).map((o) => o.key)).toEqual(["1", "2", "3", "4", "5"]);
    expect(scaleOptions({ type: "binary", labels: ["No", "Yes"] }).map((o) => [o.value, o.key])).toEqual([[0, "1"], [1, "2"]]);
    expect(scaleOptions({ type: "categorical", options: ["x", "y", "z"] }).map((o) => o.key)).toEqual(["1", "2", "3"]);
  });

  it("maps pairwise A (left) / B (right) back to the item's own outputs when the sides are swapped", () => {
    const plain = scaleOptions({ type: "pairwise", allowTie: true });
    expect(plain.map((o) => [o.key, o.value])).toEqual([["a", "A"], ["b", "B"], ["t", "tie"]]);
    const swapped = scaleOptions({ type: "pairwise", allowTie: false }, true);
    expect(swapped.map((o) => [o.key, o.value])).toEqual([["a", "B"], ["b", "A"]]);
  });

  it("validates submit bodies: rationale trimmed and bounded, ids positive", () => {
    expect(submitJudgmentBody.parse({ assignmentId: 3, value: 4, rationale: "  ok " })).toEqual({ assignmentId: 3, value: 4, rationale: "ok" });
    expect(submitJudgmentBody.safeParse({ assignmentId: -1, value: 4 }).success).toBe(false);
    expect(submitJudgmentBody.safeParse({ assignmentId: 1, value: 4, rationale: "x".repeat(2001) }).success).toBe(false);
    expect(submitJudgmentBody.safeParse({ assignmentId: 1, value: { $gt: 1 } }).success).toBe(false);
  });
});
