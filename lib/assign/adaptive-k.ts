/**
 * Adaptive k (docs/assignment.md, "Adaptive k"). A campaign's `k` is k_max; with `kMin` set, an item leaves the
 * pool after kMin ratings of its current version that agree, and collects up to k when they do not. The database
 * keeps the decision on the item (`items.k_extended`), made by the submit statement under the item row lock when
 * the kMin-th rating arrives (db/queries/judging.ts) and recomputed by db/queries/adaptive-k.ts when settings or
 * imported ratings change. The SQL there mirrors the two functions below; the unit tests pin their meaning.
 */
import type { Rubric } from "@/lib/validation/campaign";

export type AdaptiveSettings = { k: number; kMin: number | null; agreeDistance: number; rubric: Pick<Rubric, "type"> };

/**
 * Whether a set of ratings of one item agree. Likert (an ordinal scale): the largest and the smallest are at most
 * `agreeDistance` apart. Binary, categorical, pairwise: all equal (the distance does not apply). Fewer than two
 * ratings always agree.
 */
export function ratingsAgree(values: readonly (number | string)[], rubric: Pick<Rubric, "type">, agreeDistance = 0): boolean {
  if (values.length < 2) return true;
  if (rubric.type === "likert") {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) {
      // A likert rating is a number (lib/validation/campaign.ts isOnScale); anything else cannot agree with it.
      if (typeof v !== "number") return false;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi - lo <= agreeDistance;
  }
  const first = values[0];
  return values.every((v) => v === first);
}

/** Whether adaptive k is on: kMin set and below k (kMin = k is fixed k by another name). */
export const isAdaptive = (s: Pick<AdaptiveSettings, "k" | "kMin">): boolean => s.kMin !== null && s.kMin < s.k;

/** The number of ratings an item is collecting towards: k once extended, else kMin when set, else k. */
export function itemTarget(s: Pick<AdaptiveSettings, "k" | "kMin">, kExtended: boolean): number {
  return kExtended ? s.k : (s.kMin ?? s.k);
}

/**
 * The whole rule for one item, given its ratings in the order they arrived: whether it is extended (its first
 * kMin ratings disagree) and whether it is done (it has reached its target). This is what the database state
 * converges to; tests compare the stored flags with it.
 */
export function adaptiveState(s: AdaptiveSettings, ratingsInOrder: readonly (number | string)[]): { extended: boolean; done: boolean; target: number } {
  const extended = isAdaptive(s) && ratingsInOrder.length >= s.kMin! && !ratingsAgree(ratingsInOrder.slice(0, s.kMin!), s.rubric, s.agreeDistance);
  const target = itemTarget(s, extended);
  return { extended, done: ratingsInOrder.length >= target, target };
}

/** "k = 3", or with adaptive k "k = 2–4" (k_min agreeing ratings, up to k). */
export function describeK(s: Pick<AdaptiveSettings, "k" | "kMin">): string {
  return isAdaptive(s) ? `k = ${s.kMin}–${s.k}` : `k = ${s.k}`;
}
