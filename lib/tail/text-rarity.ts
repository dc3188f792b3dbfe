import { vectorRarityScores } from "./vector-rarity";

export const TEXT_DIMS = 64;
const MAX_CHARS = 2000;

/**
 * Hashed character n-grams (the "hashing trick", Weinberger et al. 2009): each 3-gram of the lower-cased text
 * adds ±1 to one of TEXT_DIMS coordinates chosen by a hash, so no vocabulary and no model download. Texts in a
 * script nobody else uses share no n-grams with the rest and land far from every neighbour.
 */
export function textVectors(texts: readonly string[], dims = TEXT_DIMS): Float32Array {
  const out = new Float32Array(texts.length * dims);
  for (let t = 0; t < texts.length; t++) {
    const s = ` ${(texts[t] ?? "").slice(0, MAX_CHARS).toLowerCase()} `;
    const base = t * dims;
    for (let i = 0; i + 2 < s.length; i++) {
      let h = Math.imul(s.charCodeAt(i), 0x9e3779b1);
      h = Math.imul(h ^ s.charCodeAt(i + 1), 0x85ebca6b);
      h = Math.imul(h ^ s.charCodeAt(i + 2), 0xc2b2ae35);
      h ^= h >>> 15;
      const idx = (h >>> 1) % dims;
      out[base + idx]! += h & 1 ? 1 : -1;
    }
  }
  return out;
}

export function textRarityScores(texts: readonly string[], seed = 1): number[] {
  return vectorRarityScores(textVectors(texts), texts.length, TEXT_DIMS, { seed });
}
