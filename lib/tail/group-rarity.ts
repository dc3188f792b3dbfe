/**
 * Group rarity (design notes, "Tail score" 2): order groups by frequency, most common first; an item's score is
 * the share of all items in groups strictly more frequent than its own. The most common group scores 0, the
 * rarest approach 1. Ties in frequency share a rank (and a score); items without a group count as one group
 * named "" so they are not silently dropped.
 */
export function groupRarityScores(groups: readonly (string | null | undefined)[]): number[] {
  const n = groups.length;
  if (n === 0) return [];
  const counts = new Map<string, number>();
  for (const g of groups) counts.set(g ?? "", (counts.get(g ?? "") ?? 0) + 1);
  const byGroup = new Map<string, number>();
  for (const [g, c] of counts) {
    let above = 0;
    for (const c2 of counts.values()) if (c2 > c) above += c2;
    byGroup.set(g, above / n);
  }
  return groups.map((g) => byGroup.get(g ?? "") ?? 0);
}
