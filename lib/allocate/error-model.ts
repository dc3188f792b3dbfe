/**
 * The error model of active allocation: P(the judge disagrees with the human consensus) for an item, from what
 * is known before anyone labels it (the judge's confidence, the item's tail score, its stratification group).
 * Fitted on the labels of earlier rounds; its predictions q_i set the next round's inclusion probabilities
 * (activePis). The model only steers where labels go: every estimate stays design-based (combineRounds), so a
 * poor model costs precision, never validity.
 */
import { AllocationInputError } from "./errors";

export type ErrorFeatures = { confidence: number | null; tail: number | null; group: string | null };

export type ErrorModelFit =
  | {
      kind: "logistic";
      intercept: number;
      confidence: number;
      confidenceMissing: number;
      tail: number;
      groups: Record<string, number>;
      n: number;
      errors: number;
      ridge: number;
    }
  | { kind: "constant"; rate: number; n: number; errors: number };

/** Fewer observations than this, or a single outcome, and the model is the smoothed constant rate. */
export const ERROR_MODEL_MIN_N = 20;
const DEFAULT_RIDGE = 1;
const DEFAULT_MAX_GROUPS = 20;
const P_MIN = 0.001;
const P_MAX = 0.999;

const clampP = (p: number): number => Math.min(P_MAX, Math.max(P_MIN, p));

/** Numerically stable logistic function 1/(1 + e^{−η}). */
function sigmoid(eta: number): number {
  if (eta >= 0) return 1 / (1 + Math.exp(-eta));
  const e = Math.exp(eta);
  return e / (1 + e);
}

/** log(1 + e^η) without overflow. */
function softplus(eta: number): number {
  return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
}

/** Solve (A) x = g for a symmetric positive-definite A (row-major, p × p) by Cholesky; null when not PD. */
function choleskySolve(a: Float64Array, g: Float64Array, p: number): Float64Array | null {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j]!;
      for (let k = 0; k < j; k++) s -= l[i * p + k]! * l[j * p + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * p + i] = Math.sqrt(s);
      } else l[i * p + j] = s / l[j * p + j]!;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = g[i]!;
    for (let k = 0; k < i; k++) s -= l[i * p + k]! * z[k]!;
    z[i] = s / l[i * p + i]!;
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= l[k * p + i]! * x[k]!;
    x[i] = s / l[i * p + i]!;
  }
  return x;
}

function checkFeatures(f: ErrorFeatures, where: string): void {
  if (f.confidence !== null && !Number.isFinite(f.confidence)) {
    throw new AllocationInputError("confidence", `${where}: confidence ${f.confidence} is not a finite number`);
  }
  if (f.tail !== null && !Number.isFinite(f.tail)) throw new AllocationInputError("tail", `${where}: tail ${f.tail} is not a finite number`);
}

/**
 * Fit the error model to labelled items (error = the judge disagreed with the human consensus).
 *
 * Ridge-penalised logistic regression, maximised by Newton's method (IRLS) with step halving, on the design
 * [1, confidence (missing → 0.5), confidence-missing indicator, tail (missing → 0), one-hot group for the
 * `maxGroups` (default 20) most frequent groups; every other group, and a missing one, is the baseline]. The
 * penalty (ridge/2)·Σβ_j² (default ridge 1) spares the intercept, so rare groups shrink toward the common level
 * rather than toward a 50 % error rate, and the fit exists even when a group's labels are all one outcome.
 * `weight` (default 1, e.g. 1/π to fit the population rather than the sample) multiplies an observation's
 * log-likelihood.
 *
 * Falls back to the constant model, rate = (errors + 1)/(n + 2) (Laplace's rule; with weights, the weighted
 * error share takes the place of errors/n), with fewer than 20 observations or when every observation has the
 * same outcome. `n` and `errors` are unweighted counts. The fit is plain JSON (finite numbers, string keys).
 */
export function fitErrorModel(
  obs: readonly (ErrorFeatures & { error: boolean; weight?: number })[],
  opts: { ridge?: number; maxGroups?: number } = {},
): ErrorModelFit {
  const ridge = opts.ridge ?? DEFAULT_RIDGE;
  const maxGroups = opts.maxGroups ?? DEFAULT_MAX_GROUPS;
  if (!(Number.isFinite(ridge) && ridge >= 0)) throw new AllocationInputError("ridge", `fitErrorModel: ridge ${ridge} must be a finite number ≥ 0`);
  if (!(Number.isInteger(maxGroups) && maxGroups >= 0)) {
    throw new AllocationInputError("maxGroups", `fitErrorModel: maxGroups ${maxGroups} must be an integer ≥ 0`);
  }
  const n = obs.length;
  let errors = 0;
  let sw = 0;
  let swErr = 0;
  obs.forEach((o, i) => {
    checkFeatures(o, `fitErrorModel: observation ${i}`);
    const w = o.weight ?? 1;
    if (!(Number.isFinite(w) && w > 0)) throw new AllocationInputError("weight", `fitErrorModel: weight ${w} of observation ${i} must be a finite number > 0`);
    if (o.error) errors++;
    sw += w;
    if (o.error) swErr += w;
  });
  if (n < ERROR_MODEL_MIN_N || errors === 0 || errors === n) {
    const share = n === 0 ? 0 : swErr / sw;
    return { kind: "constant", rate: clampP((share * n + 1) / (n + 2)), n, errors };
  }

  // The maxGroups most frequent groups get a column; ties broken by name (code-unit order, locale-free).
  const counts = new Map<string, number>();
  for (const o of obs) if (o.group !== null) counts.set(o.group, (counts.get(o.group) ?? 0) + 1);
  const kept = [...counts.entries()]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .slice(0, maxGroups)
    .map(([g]) => g);
  const groupCol = new Map(kept.map((g, j) => [g, 4 + j]));
  const p = 4 + kept.length;

  // Dense design matrix (n × p); n is the number of labelled items, so this stays small.
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  const w = new Float64Array(n);
  obs.forEach((o, i) => {
    const row = i * p;
    x[row] = 1;
    x[row + 1] = o.confidence ?? 0.5;
    x[row + 2] = o.confidence === null ? 1 : 0;
    x[row + 3] = o.tail ?? 0;
    const col = o.group === null ? undefined : groupCol.get(o.group);
    if (col !== undefined) x[row + col] = 1;
    y[i] = o.error ? 1 : 0;
    w[i] = o.weight ?? 1;
  });

  const eta = new Float64Array(n);
  const linear = (beta: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += x[i * p + j]! * beta[j]!;
      eta[i] = s;
    }
  };
  const objective = (beta: Float64Array): number => {
    // penalised log-likelihood at the current eta
    let ll = 0;
    for (let i = 0; i < n; i++) ll += w[i]! * (y[i]! * eta[i]! - softplus(eta[i]!));
    let pen = 0;
    for (let j = 1; j < p; j++) pen += beta[j]! * beta[j]!;
    return ll - 0.5 * ridge * pen;
  };

  let beta = new Float64Array(p);
  const base = swErr / sw;
  beta[0] = Math.log(base / (1 - base));
  linear(beta);
  let current = objective(beta);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  for (let iter = 0; iter < 100; iter++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i]!);
      const r = w[i]! * (y[i]! - mu);
      const h = w[i]! * mu * (1 - mu);
      const row = i * p;
      for (let j = 0; j < p; j++) {
        const xij = x[row + j]!;
        if (xij === 0) continue;
        grad[j]! += r * xij;
        const hx = h * xij;
        for (let k = 0; k <= j; k++) hess[j * p + k]! += hx * x[row + k]!;
      }
    }
    for (let j = 0; j < p; j++) {
      for (let k = 0; k < j; k++) hess[k * p + j] = hess[j * p + k]!;
      if (j > 0) {
        grad[j]! -= ridge * beta[j]!;
        hess[j * p + j]! += ridge;
      }
    }
    // An all-zero column (no missing confidence, say) with ridge 0 leaves H singular: a tiny jitter fixes it.
    let step = choleskySolve(hess, grad, p);
    for (let jitter = 1e-10; step === null && jitter < 1e3; jitter *= 100) {
      const h2 = Float64Array.from(hess);
      for (let j = 0; j < p; j++) h2[j * p + j]! += jitter * (1 + h2[j * p + j]!);
      step = choleskySolve(h2, grad, p);
    }
    if (step === null) break;
    // Step halving: the penalised log-likelihood is concave, so a short enough Newton step increases it.
    let t = 1;
    let next = beta;
    let value = current;
    for (let half = 0; half < 40; half++) {
      const cand = new Float64Array(p);
      for (let j = 0; j < p; j++) cand[j] = beta[j]! + t * step[j]!;
      linear(cand);
      const v = objective(cand);
      if (v >= current - 1e-12 * Math.abs(current)) {
        next = cand;
        value = v;
        break;
      }
      t /= 2;
    }
    if (next === beta) {
      linear(beta);
      break;
    }
    let maxStep = 0;
    for (let j = 0; j < p; j++) maxStep = Math.max(maxStep, Math.abs(next[j]! - beta[j]!));
    beta = next;
    current = value;
    if (maxStep < 1e-10) break;
  }

  const finite = (v: number): number => (Number.isFinite(v) ? v : 0);
  return {
    kind: "logistic",
    intercept: finite(beta[0]!),
    confidence: finite(beta[1]!),
    confidenceMissing: finite(beta[2]!),
    tail: finite(beta[3]!),
    groups: Object.fromEntries(kept.map((g, j) => [g, finite(beta[4 + j]!)])),
    n,
    errors,
    ridge,
  };
}

/**
 * Predicted P(judge disagrees with the human consensus) for an item, clipped to [0.001, 0.999] so that every
 * item keeps a usable, non-degenerate √q in activePis. A group the fit has no column for is the baseline.
 */
export function predictError(fit: ErrorModelFit, f: ErrorFeatures): number {
  checkFeatures(f, "predictError");
  if (fit.kind === "constant") return clampP(fit.rate);
  let eta = fit.intercept + fit.confidence * (f.confidence ?? 0.5) + fit.tail * (f.tail ?? 0);
  if (f.confidence === null) eta += fit.confidenceMissing;
  if (f.group !== null && Object.hasOwn(fit.groups, f.group)) eta += fit.groups[f.group]!;
  return clampP(sigmoid(eta));
}
