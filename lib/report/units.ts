/**
 * Labelled items → analysis units: rubric values coded as scale indices, the human consensus, and the design
 * weight 1/π_eff, where π_eff = π × (labelled / routed) within the item's cell (group × tail bucket × route
 * reason). Routed items still waiting for people are non-response; weighting the labelled ones up inside the
 * cell (a response-homogeneity-group adjustment, Särndal et al. 1992 §15.6) keeps the estimators unbiased
 * when the items people have reached so far are a random subset of their cell.
 */
import { majorityVote } from "@/lib/stats";
import { rubricValues, type Rubric } from "@/lib/validation/campaign";
import { bucketIndex } from "./params";

export type LabelledRow = {
  itemId: number;
  externalId: string;
  group: string | null;
  tail: number | null;
  pi: number;
  reason: string | null;
  judgeScore: number | string | null;
  values: (number | string)[];
};

export type Unit = {
  itemId: number;
  externalId: string;
  group: string | null;
  bucket: number | null;
  cell: string;
  /** Design weight 1/π_eff. */
  w: number;
  /** Inclusion probability after the non-response adjustment. */
  pi: number;
  /** Scale indices of the human ratings, in rating order. */
  codes: number[];
  /** Sorted ratings and weight class: units with the same key are one bootstrap type for α. */
  alphaKey: number | string;
  /** Index of the unit's weight among the distinct weights (numeric bootstrap keys). */
  weightId: number;
  /** Share of pairs of its ratings that agree (NaN with a single rating). */
  pairShare: number;
  /** Scale index of the judge's score, null when missing or off the scale. */
  judge: number | null;
  /** Scale index of the consensus: majority (nominal) or the median, ties to the lower rating (likert). */
  consensus: number;
  /** Numeric consensus for the bias: the median with ties averaged (likert), the 0/1 majority (binary). */
  consensusValue: number | null;
  /** Share of ratings equal to the consensus. */
  support: number;
};

/** Key of a (group, tail bucket, route reason) cell; \u0000 cannot occur in stored text, so keys cannot collide. */
export const cellKey = (group: string | null, bucket: number | null, reason: string | null) =>
  `${group === null ? "\u0000n" : group}\u0000${bucket === null ? "n" : bucket}\u0000${reason === null ? "n" : reason}`;

/** Numeric value of a scale index, when the rubric has one (likert scores, binary 0/1). */
export function numericScale(rubric: Rubric): number[] | null {
  if (rubric.type === "likert" || rubric.type === "binary") return rubricValues(rubric) as number[];
  return null;
}

// Sorted codes as a number: digits (code + 1) in base k + 1, so lengths cannot collide (no zero digit). Up to
// 2^32 distinct multisets stay numeric and leave room for the weight class; beyond that, a string key.
const ALPHA_KEY_SPAN = 2 ** 32;
function multisetKey(sorted: readonly number[], k: number): number | string {
  let key = 0;
  for (const c of sorted) {
    key = key * (k + 1) + c + 1;
    if (key >= ALPHA_KEY_SPAN) return sorted.join(",");
  }
  return key;
}

/** Share of ordered pairs of ratings (from different raters) that are equal. */
function pairAgreement(codes: readonly number[]): number {
  const m = codes.length;
  if (m < 2) return Number.NaN;
  let agree = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j && codes[i] === codes[j]) agree++;
  return agree / (m * (m - 1));
}

export function buildUnits(
  rows: readonly LabelledRow[],
  rubric: Rubric,
  cuts: readonly number[],
  routedPerCell: ReadonlyMap<string, number>,
): { units: Unit[]; offScale: number } {
  const scale = rubricValues(rubric);
  const index = new Map<number | string, number>(scale.map((v, i) => [v, i]));
  const numeric = numericScale(rubric);
  const staged: (Omit<Unit, "w" | "pi" | "alphaKey" | "weightId"> & { rawPi: number; sortedCodes: number | string })[] = [];
  let offScale = 0;
  const k = scale.length;
  for (const r of rows) {
    const codes: number[] = [];
    for (const v of r.values) {
      const c = index.get(v);
      if (c === undefined) offScale++;
      else codes.push(c);
    }
    const m = codes.length;
    if (m === 0) continue;
    const judge = r.judgeScore === null ? null : (index.get(r.judgeScore) ?? null);
    // The hot loop of the report (one pass per labelled item): sorted once, in place on a copy (m is small).
    const sorted = codes.slice();
    for (let i = 1; i < m; i++) {
      const x = sorted[i]!;
      let j = i - 1;
      while (j >= 0 && sorted[j]! > x) {
        sorted[j + 1] = sorted[j]!;
        j--;
      }
      sorted[j + 1] = x;
    }
    // Codes are ascending scale indices and the likert scale is ascending, so medians work on the sorted codes:
    // the consensus is the lower median (medianRating "lower"), its value the mean of the middle two ("mean").
    const consensus = rubric.type === "likert" ? sorted[(m - 1) >> 1]! : majorityVote(codes)!;
    const consensusValue =
      numeric === null
        ? null
        : rubric.type === "likert"
          ? m % 2 === 1
            ? numeric[sorted[(m - 1) >> 1]!]!
            : (numeric[sorted[m / 2 - 1]!]! + numeric[sorted[m / 2]!]!) / 2
          : numeric[consensus]!;
    let support = 0;
    for (let i = 0; i < m; i++) if (codes[i] === consensus) support++;
    const bucket = bucketIndex(r.tail, cuts);
    staged.push({
      itemId: r.itemId,
      externalId: r.externalId,
      group: r.group,
      bucket,
      cell: cellKey(r.group, bucket, r.reason),
      rawPi: r.pi,
      codes,
      sortedCodes: multisetKey(sorted, k),
      pairShare: pairAgreement(codes),
      judge,
      consensus,
      consensusValue,
      support: support / m,
    });
  }
  const labelledPerCell = new Map<string, number>();
  for (const u of staged) labelledPerCell.set(u.cell, (labelledPerCell.get(u.cell) ?? 0) + 1);
  const weightIds = new Map<number, number>();
  // Units are built as one literal shape (no object spread): the strata loop over them many times, and V8 keeps
  // property access fast only for objects that share a hidden class.
  const units = staged.map((u): Unit => {
    const routed = routedPerCell.get(u.cell) ?? 0;
    const labelled = labelledPerCell.get(u.cell)!;
    const response = routed > 0 ? Math.min(1, labelled / routed) : 1;
    const pi = u.rawPi * response;
    const w = 1 / pi;
    let weightId = weightIds.get(w);
    if (weightId === undefined) weightIds.set(w, (weightId = weightIds.size));
    return {
      itemId: u.itemId,
      externalId: u.externalId,
      group: u.group,
      bucket: u.bucket,
      cell: u.cell,
      w,
      pi,
      codes: u.codes,
      alphaKey: typeof u.sortedCodes === "number" && u.sortedCodes < ALPHA_KEY_SPAN ? weightId * ALPHA_KEY_SPAN + u.sortedCodes : `${u.sortedCodes}|${weightId}`,
      weightId,
      pairShare: u.pairShare,
      judge: u.judge,
      consensus: u.consensus,
      consensusValue: u.consensusValue,
      support: u.support,
    };
  });
  return { units, offScale };
}
