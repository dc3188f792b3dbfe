/**
 * Trust certificates (J. Jung, F. Brahman & Y. Choi, "Trust or Escalate: LLM Judges with Provable Guarantees
 * for Human Agreement", 2024): find a confidence threshold λ̂ above which the judge's verdicts can be trusted,
 * i.e. agree with the human consensus at a rate ≥ target, with probability ≥ 1 − δ over the labelled
 * calibration sample. Items below λ̂ escalate to people.
 */
import { clopperPearsonUpper } from "@/lib/stats";
import { AllocationInputError } from "./errors";

export type TrustObservation = { confidence: number; agree: boolean; pi?: number };
export type TrustStep = { lambda: number; n: number; nEff: number; agreement: number; disagreementUpper: number; pass: boolean };
export type TrustCertificate = {
  target: number;
  delta: number;
  threshold: number | null;
  n: number;
  agreement: number | null;
  disagreementUpper: number | null;
  steps: TrustStep[];
  reason: "certified" | "too_few_labels" | "none_qualifies";
};

/** 0.99, 0.98, …, 0.01, 0.00 (exact two-decimal values). */
export const DEFAULT_TRUST_GRID: readonly number[] = Array.from({ length: 100 }, (_, k) => (99 - k) / 100);
export const DEFAULT_TRUST_MIN_N = 30;

/**
 * Trust or Escalate's fixed-sequence test. For each λ on a descending grid (default 0.99, 0.98, …, 0.00) the
 * null hypothesis H_λ: "P(disagree | confidence ≥ λ) > 1 − target" is tested with the one-sided Clopper–Pearson
 * upper bound at level δ of the disagreement rate among labelled items with confidence ≥ λ: reject (pass) iff
 * upper ≤ 1 − target, which is the exact binomial test at level δ. The tests run in the fixed order of the grid
 * and stop at the first failure, so the family-wise error is ≤ δ with no multiplicity correction (fixed-sequence
 * testing): with probability ≥ 1 − δ the returned threshold's agreement rate, on fresh items from the same
 * distribution, is ≥ target. This holds whatever the shape of the risk curve (it need not be monotone).
 *
 * The sequence starts at the first λ whose set holds at least `minN` (default 30) labelled items: a rule on the
 * confidences only, so it does not peek at outcomes. threshold = the last passing λ; null with reason
 * "none_qualifies" when the first test fails, "too_few_labels" when no λ reaches minN. `n`, `agreement` and
 * `disagreementUpper` describe the certified set (0 / null without a threshold); `steps` lists every test run.
 *
 * With inclusion probabilities π < 1 (a labelled sample that favoured some items), each item weighs 1/π: the
 * disagreement rate is the Hájek share and the bound is Clopper–Pearson at the Kish effective size n_eff
 * (successes = rate·n_eff, n = n_eff) — the usual survey approximation, no longer exact.
 *
 * Throws AllocationInputError("trustTarget" / "trustDelta") unless target, delta ∈ (0, 1); ("minN") unless minN
 * is a positive integer; ("grid") for a grid value outside [0, 1]; ("observations") for a confidence that is not
 * finite or a π outside (0, 1]. The grid is used in descending order, duplicates dropped.
 */
export function trustCertificate(
  obs: readonly TrustObservation[],
  opts: { target: number; delta: number; grid?: readonly number[]; minN?: number },
): TrustCertificate {
  const { target, delta } = opts;
  if (!(target > 0 && target < 1)) throw new AllocationInputError("trustTarget", `trustCertificate: target ${target} must be in (0, 1)`);
  if (!(delta > 0 && delta < 1)) throw new AllocationInputError("trustDelta", `trustCertificate: δ ${delta} must be in (0, 1)`);
  const minN = opts.minN ?? DEFAULT_TRUST_MIN_N;
  if (!(Number.isInteger(minN) && minN >= 1)) throw new AllocationInputError("minN", `trustCertificate: minN ${minN} must be a positive integer`);
  const gridIn = opts.grid ?? DEFAULT_TRUST_GRID;
  for (const l of gridIn) if (!(l >= 0 && l <= 1)) throw new AllocationInputError("grid", `trustCertificate: grid value ${l} is not in [0, 1]`);
  const grid = [...new Set(gridIn)].sort((a, b) => b - a);
  obs.forEach((o, i) => {
    if (!Number.isFinite(o.confidence)) throw new AllocationInputError("observations", `trustCertificate: confidence ${o.confidence} at ${i} is not finite`);
    if (o.pi !== undefined && !(Number.isFinite(o.pi) && o.pi > 0 && o.pi <= 1)) {
      throw new AllocationInputError("observations", `trustCertificate: π ${o.pi} at ${i} is not in (0, 1]`);
    }
  });

  // Sorted by confidence, descending: the set {confidence ≥ λ} is a prefix, grown as λ falls.
  const sorted = [...obs].sort((a, b) => b.confidence - a.confidence);
  const alpha = 1 - target;
  const steps: TrustStep[] = [];
  let k = 0;
  let sw = 0;
  let sw2 = 0;
  let swAgree = 0;
  let started = false;
  let passed: TrustStep | null = null;
  for (const lambda of grid) {
    while (k < sorted.length && sorted[k]!.confidence >= lambda) {
      const o = sorted[k]!;
      const w = 1 / (o.pi ?? 1);
      sw += w;
      sw2 += w * w;
      if (o.agree) swAgree += w;
      k++;
    }
    if (!started && k < minN) continue;
    started = true;
    const agreement = swAgree / sw;
    const nEff = (sw * sw) / sw2;
    const rate = 1 - agreement;
    const disagreementUpper = clopperPearsonUpper(Math.min(nEff, Math.max(0, rate * nEff)), nEff, delta);
    const step: TrustStep = { lambda, n: k, nEff, agreement, disagreementUpper, pass: disagreementUpper <= alpha };
    steps.push(step);
    if (!step.pass) break;
    passed = step;
  }
  const base = { target, delta, steps };
  if (!started) return { ...base, threshold: null, n: 0, agreement: null, disagreementUpper: null, reason: "too_few_labels" };
  if (passed === null) return { ...base, threshold: null, n: 0, agreement: null, disagreementUpper: null, reason: "none_qualifies" };
  return { ...base, threshold: passed.lambda, n: passed.n, agreement: passed.agreement, disagreementUpper: passed.disagreementUpper, reason: "certified" };
}

/** Share of items the judge alone would settle: confidence ≥ threshold (0 without a threshold or items; a null confidence is never trusted). */
export function trustedShare(threshold: number | null, confidences: readonly (number | null)[]): number {
  if (threshold === null || confidences.length === 0) return 0;
  let k = 0;
  for (const c of confidences) if (c !== null && c >= threshold) k++;
  return k / confidences.length;
}

