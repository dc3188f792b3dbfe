/**
 * Labelled items → analysis units: rubric values coded as scale indices, the human consensus, and the design
 * weight 1/π_eff, where π_eff = π × (labelled / sampled) within the item's cell (group × tail bucket × inclusion
 * reason). Sampled items still waiting for people are non-response; weighting the labelled ones up inside the
 * cell (a response-homogeneity-group adjustment, Särndal et al. 1992 §15.6) keeps the estimators unbiased
 * when the items people have reached so far are a random subset of their cell.
 */
import { dawidSkene, majorityVote } from "@/lib/stats";
import { rubricValues, type Rubric } from "@/lib/validation/campaign";
import { bucketIndex } from "./params";
import type { ConsensusMethod } from "./types";

export type LabelledRow = {
  itemId: number;
  externalId: string;
  /** The item version the run's record names (the ratings are on it). */
  version?: number;
  group: string | null;
  tail: number | null;
  pi: number;
  reason: string | null;
  /** Judge confidence from the run's record (trust certificates). */
  confidence?: number | null;
  judgeScore: number | string | null;
  values: (number | string)[];
  /** Rater keys in the order of `values` (Dawid–Skene only). */
  raters?: string[];
};

export type Unit = {
  itemId: number;
  externalId: string;
  version: number;
  group: string | null;
  bucket: number | null;
  cell: string;
  /** Design weight 1/π_eff. */
  w: number;
  /** Inclusion probability after the non-response adjustment. */
  pi: number;
  /** Scale indices of the human ratings, in rating order. */
  codes: number[];
  /** The ratings human–human agreement and α use: all of them, or under adaptive k the first k_min (collected
   *  whatever their values, so the stopping rule cannot inflate agreement). The same array as `codes` otherwise. */
  hhCodes: number[];
  /** Sorted ratings and weight class: units with the same key are one bootstrap type for α. */
  alphaKey: number | string;
  /** Index of the unit's weight among the distinct weights (numeric bootstrap keys). */
  weightId: number;
  /** Share of pairs of its ratings (hhCodes) that agree (NaN with a single rating). */
  pairShare: number;
  /** Scale index of the judge's score (a fractional score on an interval scale: the nearest point, .5 up), null when missing or off the scale. */
  judge: number | null;
  /** The judge's score as a number (fractional scores kept), null on nominal rubrics. */
  judgeValue: number | null;
  /** Scale index of the consensus (see itemConsensus). */
  consensus: number;
  /** Numeric consensus for the bias (see itemConsensus), null on nominal rubrics. */
  consensusValue: number | null;
  /** Mean of the human ratings' numeric values, null on nominal rubrics. */
  humanMean: number | null;
  /** Share of ratings equal to the consensus. */
  support: number;
};

/** Key of a (group, tail bucket, route reason) cell; \u0000 cannot occur in stored text, so keys cannot collide. */
export const cellKey = (group: string | null, bucket: number | null, reason: string | null) =>
  `${group === null ? "\u0000n" : group}\u0000${bucket === null ? "n" : bucket}\u0000${reason === null ? "n" : reason}`;

/** Sampled items per (group, bucket, reason) cell of a run's design: the denominator of the non-response adjustment. */
export function sampledPerCell(cells: readonly { group: string | null; bucket: number | null; reason: string | null; sampled: number }[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of cells) {
    const key = cellKey(c.group, c.bucket, c.reason);
    out.set(key, (out.get(key) ?? 0) + c.sampled);
  }
  return out;
}

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

/** The consensus methods a rubric admits, its default first. */
export function consensusMethods(rubric: Rubric): ConsensusMethod[] {
  if (rubric.type === "likert") return ["median", "majority", "mean", "dawid_skene"];
  if (rubric.type === "binary") return ["majority", "median", "dawid_skene"];
  return ["majority", "dawid_skene"];
}

/** The campaign's consensus setting when it fits the rubric, else the rubric's default. */
export function effectiveConsensus(rubric: Rubric, setting: ConsensusMethod | null | undefined): ConsensusMethod {
  const allowed = consensusMethods(rubric);
  return setting && allowed.includes(setting) ? setting : allowed[0]!;
}

/** Nearest scale index of a number on a numeric scale of consecutive values (halves round up). */
export function nearestIndex(numeric: readonly number[], x: number): number {
  const i = Math.floor(x - numeric[0]! + 0.5);
  return Math.min(numeric.length - 1, Math.max(0, i));
}

/**
 * One item's consensus from its ratings' scale indices, sorted ascending (`sorted`) and in rating order (`codes`):
 * - median: the lower median as the category; the median with the middle two averaged as the value;
 * - majority: the most frequent category (ties to the lower index); its value;
 * - mean (interval scales): the mean of the values; the nearest scale point (halves up) as the category;
 * - dawid_skene: the model's most probable class (given in `latent`); its value.
 */
export function itemConsensus(
  method: ConsensusMethod,
  sorted: readonly number[],
  codes: readonly number[],
  numeric: readonly number[] | null,
  latent?: number,
): { code: number; value: number | null } {
  const m = sorted.length;
  switch (method) {
    case "median": {
      const code = sorted[(m - 1) >> 1]!;
      const value = numeric === null ? null : m % 2 === 1 ? numeric[code]! : (numeric[sorted[m / 2 - 1]!]! + numeric[sorted[m / 2]!]!) / 2;
      return { code, value };
    }
    case "mean": {
      let sum = 0;
      for (const c of sorted) sum += numeric![c]!;
      const value = sum / m;
      return { code: nearestIndex(numeric!, value), value };
    }
    case "dawid_skene": {
      const code = latent ?? majorityVote(codes)!;
      return { code, value: numeric === null ? null : numeric[code]! };
    }
    case "majority": {
      const code = majorityVote(codes)!;
      return { code, value: numeric === null ? null : numeric[code]! };
    }
  }
}

/** Dawid–Skene latent classes for every labelled item, fitted on all of them (raters as given in the rows). */
export function dawidSkeneClasses(rows: readonly LabelledRow[], rubric: Rubric): Map<number, number> {
  const scale = rubricValues(rubric);
  const index = new Map<number | string, number>(scale.map((v, i) => [v, i]));
  const raterIds = new Map<string, number>();
  const annotations: { item: number; annotator: number; label: number }[] = [];
  rows.forEach((r, item) => {
    r.values.forEach((v, j) => {
      const label = index.get(v);
      if (label === undefined) return;
      const key = r.raters?.[j] ?? `${r.itemId}:${j}`;
      let a = raterIds.get(key);
      if (a === undefined) raterIds.set(key, (a = raterIds.size));
      annotations.push({ item, annotator: a, label });
    });
  });
  const out = new Map<number, number>();
  if (annotations.length === 0) return out;
  const fit = dawidSkene({ nItems: rows.length, nAnnotators: raterIds.size, nClasses: scale.length, annotations });
  rows.forEach((r, i) => out.set(r.itemId, fit.labels[i]!));
  return out;
}

export function buildUnits(
  rows: readonly LabelledRow[],
  rubric: Rubric,
  cuts: readonly number[],
  sampledPerCell: ReadonlyMap<string, number>,
  method: ConsensusMethod = effectiveConsensus(rubric, null),
  /** Adaptive k: human–human measures read the first k_min ratings only (rows' values in arrival order). */
  humanRatings?: number,
): { units: Unit[]; offScale: number } {
  const scale = rubricValues(rubric);
  const index = new Map<number | string, number>(scale.map((v, i) => [v, i]));
  const numeric = numericScale(rubric);
  const staged: (Omit<Unit, "w" | "pi" | "alphaKey" | "weightId"> & { rawPi: number; sortedCodes: number | string })[] = [];
  const limit = humanRatings ?? Infinity;
  let offScale = 0;
  const k = scale.length;
  const latent = method === "dawid_skene" ? dawidSkeneClasses(rows, rubric) : null;
  for (const r of rows) {
    const codes: number[] = [];
    for (const v of r.values) {
      const c = index.get(v);
      if (c === undefined) offScale++;
      else codes.push(c);
    }
    const m = codes.length;
    if (m === 0) continue;
    let judge = r.judgeScore === null ? null : (index.get(r.judgeScore) ?? null);
    let judgeValue = numeric === null || judge === null ? null : numeric[judge]!;
    // A fractional judge score (an averaged judge) on an interval scale: agreement and κ use the nearest point.
    if (judge === null && rubric.type === "likert" && typeof r.judgeScore === "number" && r.judgeScore >= rubric.min && r.judgeScore <= rubric.max) {
      judge = nearestIndex(numeric!, r.judgeScore);
      judgeValue = r.judgeScore;
    }
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
    // Codes are ascending scale indices and numeric scales are ascending, so medians work on the sorted codes.
    const { code: consensus, value: consensusValue } = itemConsensus(method, sorted, codes, numeric, latent?.get(r.itemId));
    let humanMean: number | null = null;
    if (numeric !== null) {
      let sum = 0;
      for (const c of sorted) sum += numeric[c]!;
      humanMean = sum / m;
    }
    let support = 0;
    for (let i = 0; i < m; i++) if (codes[i] === consensus) support++;
    const bucket = bucketIndex(r.tail, cuts);
    const hhCodes = m > limit ? codes.slice(0, limit) : codes;
    const hhSorted = hhCodes === codes ? sorted : hhCodes.slice().sort((a, b) => a - b);
    staged.push({
      itemId: r.itemId,
      externalId: r.externalId,
      version: r.version ?? 1,
      group: r.group,
      bucket,
      cell: cellKey(r.group, bucket, r.reason),
      rawPi: r.pi,
      codes,
      hhCodes,
      sortedCodes: multisetKey(hhSorted, k),
      pairShare: pairAgreement(hhCodes),
      judge,
      judgeValue,
      consensus,
      consensusValue,
      humanMean,
      support: support / m,
    });
  }
  const labelledPerCell = new Map<string, number>();
  for (const u of staged) labelledPerCell.set(u.cell, (labelledPerCell.get(u.cell) ?? 0) + 1);
  const weightIds = new Map<number, number>();
  // Units are built as one literal shape (no object spread): the strata loop over them many times, and V8 keeps
  // property access fast only for objects that share a hidden class.
  const units = staged.map((u): Unit => {
    const sampled = sampledPerCell.get(u.cell) ?? 0;
    const labelled = labelledPerCell.get(u.cell)!;
    const response = sampled > 0 ? Math.min(1, labelled / sampled) : 1;
    const pi = u.rawPi * response;
    const w = 1 / pi;
    let weightId = weightIds.get(w);
    if (weightId === undefined) weightIds.set(w, (weightId = weightIds.size));
    return {
      itemId: u.itemId,
      externalId: u.externalId,
      version: u.version,
      group: u.group,
      bucket: u.bucket,
      cell: u.cell,
      w,
      pi,
      codes: u.codes,
      hhCodes: u.hhCodes,
      alphaKey: typeof u.sortedCodes === "number" && u.sortedCodes < ALPHA_KEY_SPAN ? weightId * ALPHA_KEY_SPAN + u.sortedCodes : `${u.sortedCodes}|${weightId}`,
      weightId,
      pairShare: u.pairShare,
      judge: u.judge,
      judgeValue: u.judgeValue,
      consensus: u.consensus,
      consensusValue: u.consensusValue,
      humanMean: u.humanMean,
      support: u.support,
    };
  });
  return { units, offScale };
}
