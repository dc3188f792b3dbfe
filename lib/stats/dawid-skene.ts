/**
 * Dawid–Skene latent-class model: each annotator has a confusion matrix, each item a latent true
 * class. Fitted by EM (A. P. Dawid & A. M. Skene, "Maximum likelihood estimation of observer
 * error-rates using the EM algorithm", Applied Statistics 28(1), 1979).
 */
import { StatsInputError } from "./errors";
import type { Label } from "./kappa";
import { occurringCategories } from "./kappa";

export interface Annotation {
  item: number;
  annotator: number;
  /** Class index in 0..nClasses−1. */
  label: number;
}

export interface DawidSkeneInput {
  nItems: number;
  nAnnotators: number;
  nClasses: number;
  annotations: readonly Annotation[];
}

export interface DawidSkeneOptions {
  /** Stop when no posterior changes by more than this between iterations. Default 1e-6. */
  tolerance?: number;
  /** Iteration cap. Default 200. */
  maxIterations?: number;
  /** Dirichlet pseudo-count added to priors and confusion rows, keeping them off zero. Default 0.01. */
  smoothing?: number;
}

export interface DawidSkeneResult {
  /** posteriors[i][k] = P(item i is class k | annotations); priors for unannotated items. */
  posteriors: number[][];
  /** Most probable class per item (ties to the smaller index). */
  labels: number[];
  /** Estimated class priors. */
  priors: number[];
  /** confusion[a][k][l] = P(annotator a says l | true class k). */
  confusion: number[][][];
  iterations: number;
  converged: boolean;
  /** Marginal log-likelihood at the final parameters. */
  logLikelihood: number;
}

function validate(input: DawidSkeneInput): void {
  const { nItems, nAnnotators, nClasses, annotations } = input;
  for (const [name, v] of [["nItems", nItems], ["nAnnotators", nAnnotators], ["nClasses", nClasses]] as const) {
    if (!(Number.isInteger(v) && v >= 0)) throw new StatsInputError(`dawidSkene: ${name} must be a non-negative integer`);
  }
  if (nClasses < 1) throw new StatsInputError("dawidSkene: need at least one class");
  annotations.forEach((a, i) => {
    const ok =
      Number.isInteger(a.item) && a.item >= 0 && a.item < nItems &&
      Number.isInteger(a.annotator) && a.annotator >= 0 && a.annotator < nAnnotators &&
      Number.isInteger(a.label) && a.label >= 0 && a.label < nClasses;
    if (!ok) throw new StatsInputError(`dawidSkene: annotation ${i} is out of range`);
  });
}

const argmax = (row: readonly number[]): number =>
  row.reduce((best, v, k) => (v > row[best]! ? k : best), 0);

/**
 * Fits Dawid–Skene by EM. Deterministic: initial posteriors are each item's vote shares (the
 * soft majority vote of the original paper), and every loop runs in index order.
 */
export function dawidSkene(input: DawidSkeneInput, options: DawidSkeneOptions = {}): DawidSkeneResult {
  validate(input);
  const { nItems, nAnnotators, nClasses: K, annotations } = input;
  const tolerance = options.tolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 200;
  const alpha = options.smoothing ?? 0.01;
  if (!(tolerance > 0)) throw new StatsInputError("dawidSkene: tolerance must be > 0");
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) throw new StatsInputError("dawidSkene: maxIterations must be ≥ 1");
  if (!(alpha >= 0)) throw new StatsInputError("dawidSkene: smoothing must be ≥ 0");

  const byItem: Annotation[][] = Array.from({ length: nItems }, () => []);
  for (const a of annotations) byItem[a.item]!.push(a);
  const annotated = byItem.map((list) => list.length > 0);
  const nAnnotated = annotated.filter(Boolean).length;

  // Initialise T_ik with vote shares; unannotated items start uniform and never inform the fit.
  let post: number[][] = byItem.map((list) => {
    const row = new Array<number>(K).fill(list.length === 0 ? 1 / K : 0);
    for (const a of list) row[a.label]! += 1 / list.length;
    return row;
  });

  let priors = new Array<number>(K).fill(1 / K);
  let confusion: number[][][] = [];
  let iterations = 0;
  let converged = false;
  let logLikelihood = Number.NaN;

  while (iterations < maxIterations) {
    // M-step: p_k ∝ Σ_i T_ik + α;  π^a_kl ∝ Σ_{(i,a,l)} T_ik + α.
    const priorCounts = new Array<number>(K).fill(alpha);
    post.forEach((row, i) => {
      if (annotated[i]) row.forEach((t, k) => (priorCounts[k]! += t));
    });
    const priorTotal = nAnnotated + K * alpha;
    priors = priorCounts.map((c) => (priorTotal > 0 ? c / priorTotal : 1 / K));
    const counts = Array.from({ length: nAnnotators }, () =>
      Array.from({ length: K }, () => new Array<number>(K).fill(alpha)),
    );
    for (const a of annotations) {
      const row = post[a.item]!;
      for (let k = 0; k < K; k++) counts[a.annotator]![k]![a.label]! += row[k]!;
    }
    confusion = counts.map((m) =>
      m.map((row) => {
        const total = row.reduce((s, x) => s + x, 0);
        return total > 0 ? row.map((x) => x / total) : row.map(() => 1 / K);
      }),
    );

    // E-step: log T_ik = log p_k + Σ_{(i,a,l)} log π^a_kl − log Σ_k(…), by log-sum-exp.
    const logPriors = priors.map(Math.log);
    let ll = 0;
    let maxChange = 0;
    const next = byItem.map((list, i) => {
      const logRow = [...logPriors];
      for (const a of list) {
        const m = confusion[a.annotator]!;
        for (let k = 0; k < K; k++) logRow[k]! += Math.log(m[k]![a.label]!);
      }
      const top = Math.max(...logRow);
      const sum = logRow.reduce((s, x) => s + Math.exp(x - top), 0);
      if (annotated[i]) ll += top + Math.log(sum);
      const row = logRow.map((x) => Math.exp(x - top) / sum);
      row.forEach((t, k) => (maxChange = Math.max(maxChange, Math.abs(t - post[i]![k]!))));
      return row;
    });
    post = next;
    logLikelihood = ll;
    iterations++;
    if (maxChange < tolerance) {
      converged = true;
      break;
    }
  }

  return { posteriors: post, labels: post.map(argmax), priors, confusion, iterations, converged, logLikelihood };
}

/**
 * Dawid–Skene from a raters × items matrix of labels (null = missing). Returns the fit plus the
 * category list that maps class indices back to labels.
 */
export function dawidSkeneFromMatrix(
  data: readonly (readonly (Label | null)[])[],
  options: DawidSkeneOptions & { categories?: readonly Label[] } = {},
): DawidSkeneResult & { categories: Label[] } {
  const nItems = data[0]?.length ?? 0;
  if (data.some((row) => row.length !== nItems)) throw new StatsInputError("dawidSkene: ragged raters × items matrix");
  const categories = options.categories
    ? [...options.categories]
    : occurringCategories(...data.map((row) => row.filter((v): v is Label => v !== null)));
  const index = new Map<Label, number>(categories.map((c, i) => [c, i]));
  const annotations: Annotation[] = [];
  data.forEach((row, annotator) =>
    row.forEach((v, item) => {
      if (v === null) return;
      const label = index.get(v);
      if (label === undefined) throw new StatsInputError(`dawidSkene: label ${String(v)} is not a category`);
      annotations.push({ item, annotator, label });
    }),
  );
  const fit = dawidSkene({ nItems, nAnnotators: data.length, nClasses: Math.max(categories.length, 1), annotations }, options);
  return { ...fit, categories };
}
