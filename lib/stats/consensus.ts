/**
 * Human consensus per item: majority vote (binary/categorical) and median (likert).
 * Dawid–Skene, for when annotators' reliability differs, lives in dawid-skene.ts and is
 * re-exported here.
 */
import { StatsInputError, assertFinite } from "./errors";
import { compareLabels, type Label } from "./kappa";

export * from "./dawid-skene";

export interface VoteCount<T extends Label> {
  value: T;
  count: number;
}

/** Counts per distinct value, most votes first; ties in the order majorityVote breaks them. */
export function voteCounts<T extends Label>(
  values: readonly (T | null)[],
  categoryOrder?: readonly T[],
): VoteCount<T>[] {
  const counts = new Map<T, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  const rank = categoryOrder ? new Map<T, number>(categoryOrder.map((c, i) => [c, i])) : null;
  if (rank) {
    for (const v of counts.keys()) {
      if (!rank.has(v)) throw new StatsInputError(`majorityVote: ${String(v)} is not in the category order`);
    }
  }
  const tieOrder = (a: T, b: T): number => (rank ? rank.get(a)! - rank.get(b)! : compareLabels(a, b));
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((p, q) => q.count - p.count || tieOrder(p.value, q.value));
}

/**
 * The most frequent value, ignoring nulls; null when there are no votes.
 * Tie rule (deterministic): among the tied values, the one that comes first in `categoryOrder`
 * when given (e.g. the rubric's option order), otherwise the smallest (numbers ascending,
 * strings by code unit).
 */
export function majorityVote<T extends Label>(values: readonly (T | null)[], categoryOrder?: readonly T[]): T | null {
  const counts = voteCounts(values, categoryOrder);
  return counts.length === 0 ? null : counts[0]!.value;
}

/** True when the top vote count is shared by two or more values (the tie rule decided). */
export function isMajorityTied<T extends Label>(values: readonly (T | null)[]): boolean {
  const counts = voteCounts(values);
  return counts.length > 1 && counts[0]!.count === counts[1]!.count;
}

/** How an even number of ratings resolves: mean of the middle two, or the lower/upper one. */
export type MedianTie = "mean" | "lower" | "upper";

/**
 * Median of likert ratings, ignoring nulls; null when there are none.
 * With an even count, "mean" (default) averages the two middle ratings (may fall between scale
 * points); "lower"/"upper" keep the consensus on the scale.
 */
export function medianRating(values: readonly (number | null)[], tie: MedianTie = "mean"): number | null {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return null;
  assertFinite("medianRating", xs);
  xs.sort((a, b) => a - b);
  const mid = Math.floor(xs.length / 2);
  if (xs.length % 2 === 1) return xs[mid]!;
  const lo = xs[mid - 1]!;
  const hi = xs[mid]!;
  return tie === "lower" ? lo : tie === "upper" ? hi : (lo + hi) / 2;
}
