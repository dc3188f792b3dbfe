import { groupRarityScores } from "./group-rarity";
import { textRarityScores } from "./text-rarity";
import { vectorRarityScores } from "./vector-rarity";

export type TailMethod = "provided" | "group" | "embedding" | "text";
export type TailInput = { group: string | null; provided: number | null; text: string; embedding: ArrayLike<number> | null };

/**
 * One tail score (0..1, higher = rarer) per item by the campaign's method. Deterministic for a given seed.
 * Embedding rarity uses items that carry a vector of the common length; items without one get null (routing
 * then treats them as not rare, and the import report says so).
 */
export function computeTailScores(method: TailMethod, rows: readonly TailInput[], seed = 1): (number | null)[] {
  switch (method) {
    case "provided":
      return rows.map((r) => r.provided);
    case "group":
      return groupRarityScores(rows.map((r) => r.group));
    case "text":
      return textRarityScores(rows.map((r) => r.text), seed);
    case "embedding": {
      const out: (number | null)[] = rows.map(() => null);
      const packed = packEmbeddings(rows);
      if (!packed) return out;
      const scores = vectorRarityScores(packed.data, packed.idx.length, packed.dim, { seed });
      packed.idx.forEach((i, p) => (out[i] = scores[p]!));
      return out;
    }
  }
}

/** The rows whose embedding has the common length, packed row after row; null when no row has one. */
export function packEmbeddings(rows: readonly TailInput[]): { data: Float32Array; idx: number[]; dim: number } | null {
  const dim = commonDim(rows);
  if (dim === 0) return null;
  const idx = rows.flatMap((r, i) => (r.embedding?.length === dim ? [i] : []));
  const data = new Float32Array(idx.length * dim);
  idx.forEach((i, p) => data.set(rows[i]!.embedding!, p * dim));
  return { data, idx, dim };
}

function commonDim(rows: readonly TailInput[]): number {
  const counts = new Map<number, number>();
  for (const r of rows) if (r.embedding?.length) counts.set(r.embedding.length, (counts.get(r.embedding.length) ?? 0) + 1);
  let best = 0;
  let bestN = 0;
  for (const [d, c] of counts) if (c > bestN) { best = d; bestN = c; }
  return best;
}
