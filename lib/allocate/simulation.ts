/**
 * A seeded model of the demo campaign (db/seed.ts) for the allocation tests and benchmark: twelve languages with
 * Zipf-like frequencies (rank r ∝ 1/r^1.1); a judge that is accurate and calibrated on common languages and
 * biased upward, noisier and over-confident on rare ones. It simulates what matters to allocation directly: per
 * item the judge's confidence, the tail score (group rarity), the group and the binary outcome "the judge agrees
 * with the human consensus" (exact match on the 1–5 scale; the consensus is the true score, off by one point
 * for 10 % of items, as three raters' median sometimes is). Pure and deterministic for a seed; not used by the app.
 */
import { createRng, type Rng } from "@/lib/stats";
import { groupRarityScores } from "@/lib/tail/group-rarity";

export const DEMO_LANGUAGE_CODES = ["en", "es", "zh", "hi", "ar", "fr", "pt", "ru", "sw", "yo", "qu", "fo"] as const;

export type SimItem = { group: string; rarity: number; tail: number; confidence: number; agree: boolean };

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** n items of the demo-like population, drawn from `rng` (or a fresh one for a numeric seed). */
export function demoPopulation(source: Rng | number, n: number): SimItem[] {
  const rng = typeof source === "number" ? createRng(source) : source;
  const k = DEMO_LANGUAGE_CODES.length;
  const weights = DEMO_LANGUAGE_CODES.map((_, r) => 1 / (r + 1) ** 1.1);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  weights.reduce((acc, w) => (cdf.push((acc + w) / total), acc + w), 0);
  const rows: SimItem[] = new Array<SimItem>(n);
  const groups = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    let li = 0;
    while (li < k - 1 && u >= cdf[li]!) li++;
    const rarity = li / (k - 1);
    const q = clamp(Math.round(3.6 + 1.1 * rng.normal()), 1, 5);
    const judge = clamp(Math.round(q + 1.4 * rarity ** 2 + (0.35 + rarity) * rng.normal()), 1, 5);
    const confidence = clamp(0.95 - 0.3 * Math.abs(judge - q) * (1 - rarity) - 0.12 * rarity + 0.06 * rng.normal(), 0.05, 0.99);
    const shift = rng.next();
    const consensus = shift < 0.05 ? clamp(q - 1, 1, 5) : shift < 0.1 ? clamp(q + 1, 1, 5) : q;
    const group = DEMO_LANGUAGE_CODES[li]!;
    groups[i] = group;
    rows[i] = { group, rarity, tail: 0, confidence: Math.round(confidence * 1000) / 1000, agree: judge === consensus };
  }
  const tails = groupRarityScores(groups);
  for (let i = 0; i < n; i++) rows[i]!.tail = tails[i]!;
  return rows;
}

/** Rules routing (lib/routing/route-items.ts): targeted when confidence < c or tail ≥ t; urgency as there. */
export function rulesTargets(items: readonly SimItem[], confidenceThreshold = 0.6, tailThreshold = 0.8): { targeted: boolean[]; urgency: number[] } {
  return {
    targeted: items.map((it) => it.tail >= tailThreshold || it.confidence < confidenceThreshold),
    urgency: items.map((it) => Math.max(it.tail, 1 - it.confidence)),
  };
}
