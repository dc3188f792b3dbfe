/**
 * Estimates that combine rounds (active inference, T. Zrnic & E. J. Candès, "Active Statistical Inference", ICML
 * 2024, §5 on sequential designs). Round t draws every item of the population independently with a probability
 * π_{t,i} fixed before the round (it may depend on everything earlier: labels, a fitted error model). Round t's
 * Hájek estimate over a domain is conditionally unbiased (to first order) given the past, so Σ_t w_t θ̂_t with
 * predictable weights w_t is consistent, and the per-round errors are martingale differences, hence uncorrelated:
 * Var ≈ Σ_t w_t² V̂_t.
 */
import { wilsonEffective, zForLevel, Z_95 } from "@/lib/stats";
import { AllocationInputError } from "./errors";

export type RoundData = { round: number; weight: number; pi: readonly number[]; drawn: readonly boolean[] };

export type RoundsEstimate = {
  estimate: number;
  se: number;
  lower: number;
  upper: number;
  level: number;
  /** Distinct items of the domain with a label that some round drew. */
  nLabelled: number;
  /**
   * In the order given: the normalised weight w̃_t actually used (0 for a round without labels in the domain), the
   * round's Hájek estimate and SE (null without labels), and its drawn and labelled counts in the domain.
   */
  perRound: { round: number; weight: number; estimate: number | null; se: number | null; drawn: number; labelled: number }[];
  /** Σ_t w_t² V̂_t, the combined variance (se²). */
  variance: number;
  /** Proportions: the effective sample size Wilson's interval used (see combineRounds); null for means. */
  nEff: number | null;
};

/**
 * A predictable weight for a round over a domain, from its design alone (before any of its labels): the
 * expected Kish effective size of its Hájek estimate, N²/Σ_i 1/π_{t,i} (= Σπ for equal π; N for a census). Rounds
 * that look at a domain more closely get more weight; a weight computed from the round's own labels would not be
 * predictable.
 */
export function roundWeight(pi: readonly number[]): number {
  let inv = 0;
  for (let i = 0; i < pi.length; i++) {
    const p = pi[i]!;
    if (!(Number.isFinite(p) && p > 0 && p <= 1)) throw new AllocationInputError("pi", `roundWeight: π ${p} at ${i} is not in (0, 1]`);
    inv += 1 / p;
  }
  return pi.length === 0 ? 0 : (pi.length * pi.length) / inv;
}

type RoundStats = { estimate: number; variance: number; kish: number; labelled: number; drawn: number };

/**
 * One round's Hájek estimate over the domain: θ̂ = Σ_L y/π' / Σ_L 1/π', with non-response handled by
 * π' = π·(labelled/drawn) (response homogeneity within the round and domain; the point estimate does not move,
 * the variance grows), and its Poisson-sampling linearisation variance V̂ = Σ_L (1 − π')/π'²·(y − θ̂)² / N̂²,
 * N̂ = Σ_L 1/π' (Särndal, Swensson & Wretman 1992, §5.6). kish = (Σ 1/π')²/Σ 1/π'².
 */
function roundStats(y: readonly (number | null)[], pi: readonly number[], drawn: readonly boolean[]): RoundStats {
  let nDrawn = 0;
  let nLab = 0;
  for (let i = 0; i < y.length; i++) {
    if (!drawn[i]) continue;
    nDrawn++;
    if (y[i] !== null) nLab++;
  }
  if (nLab === 0) return { estimate: Number.NaN, variance: Number.NaN, kish: 0, labelled: 0, drawn: nDrawn };
  const response = nLab / nDrawn;
  let sw = 0;
  let sw2 = 0;
  let swy = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!drawn[i] || v === null || v === undefined) continue;
    const w = 1 / (pi[i]! * response);
    sw += w;
    sw2 += w * w;
    swy += w * v;
  }
  const est = swy / sw;
  let v = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i];
    if (!drawn[i] || yi === null || yi === undefined) continue;
    const p = pi[i]! * response;
    v += ((1 - p) / (p * p)) * (yi - est) ** 2;
  }
  return { estimate: est, variance: v / (sw * sw), kish: (sw * sw) / sw2, labelled: nLab, drawn: nDrawn };
}

/**
 * Combine the rounds' Hájek estimates over a domain. Arrays are indexed by the domain's items: y[i] is the item's
 * label (1/0 for "the judge agrees with the human consensus", or judge − consensus for a bias), null when it has
 * none; round t's `pi[i]` is the item's inclusion probability in that round (every one in (0, 1]) and `drawn[i]`
 * whether the round drew it. An item drawn in round t with a label counts in round t (an item drawn in two
 * rounds counts in both: each round is its own independent sample). A drawn item without a label is
 * non-response, absorbed by scaling the round's π by labelled/drawn.
 *
 * θ̂ = Σ_t w̃_t θ̂_t, Var = Σ_t w̃_t² V̂_t, where w̃ normalises the given (predictable) weights over the rounds
 * with at least one labelled item in the domain. Returns null when no round has one.
 *
 * Interval at `level` (default 0.95):
 * - `kind: "mean"` (default): normal, θ̂ ± z·√Var.
 * - `kind: "proportion"` (y in [0, 1]): Wilson's interval at an effective size n_eff, clipped to [0, 1].
 *   n_eff = min(n*, n_lab) with n* = θ̂(1 − θ̂)/Var, the design-effect-adjusted size (Korn & Graubard 1998;
 *   Dean & Pagano 2015), and n_lab = 1/Σ_t(w̃_t²/m_t), what the labelled counts m_t would be worth as simple
 *   random samples: the design may earn back the precision unequal weights cost, but the interval never claims
 *   more than one label's worth per label, which bounds it away from zero width where V̂ is small only because
 *   the minority outcome was not drawn. When V̂ = 0 or θ̂ ∈ {0, 1} the data say nothing about the design effect
 *   and n_eff = the combined Kish size 1/Σ_t(w̃_t²/n_t^Kish), n_t^Kish = (Σ1/π')²/Σ1/π'² — for one round, the
 *   size at which the report's hajekProportion takes Wilson's interval. Wilson's interval, unlike θ̂ ± z·se,
 *   keeps its width and asymmetry near 0 and 1, where the linearisation variance collapses.
 */
export function combineRounds(
  y: readonly (number | null)[],
  rounds: readonly RoundData[],
  opts: { level?: number; kind?: "proportion" | "mean" } = {},
): RoundsEstimate | null {
  const level = opts.level ?? 0.95;
  const kind = opts.kind ?? "mean";
  if (!(level > 0 && level < 1)) throw new AllocationInputError("level", `combineRounds: level ${level} is not in (0, 1)`);
  y.forEach((v, i) => {
    if (v === null) return;
    if (!Number.isFinite(v)) throw new AllocationInputError("y", `combineRounds: label ${v} at ${i} is not finite`);
    if (kind === "proportion" && (v < 0 || v > 1)) throw new AllocationInputError("y", `combineRounds: label ${v} at ${i} is not in [0, 1]`);
  });
  const n = y.length;
  const labelledItems = new Uint8Array(n);
  const stats = rounds.map((r, t) => {
    if (r.pi.length !== n || r.drawn.length !== n) {
      throw new AllocationInputError("rounds", `combineRounds: round ${r.round} has ${r.pi.length} π and ${r.drawn.length} draws for ${n} items`);
    }
    if (!(Number.isFinite(r.weight) && r.weight >= 0)) throw new AllocationInputError("weight", `combineRounds: round ${r.round} weight ${r.weight} must be finite and ≥ 0`);
    for (let i = 0; i < n; i++) {
      const p = r.pi[i]!;
      if (!(Number.isFinite(p) && p > 0 && p <= 1)) throw new AllocationInputError("pi", `combineRounds: round ${r.round} (#${t}) π ${p} at ${i} is not in (0, 1]`);
      if (r.drawn[i] && y[i] !== null) labelledItems[i] = 1;
    }
    return roundStats(y, r.pi, r.drawn);
  });
  const active = stats.map((s) => s.labelled > 0);
  if (!active.some(Boolean)) return null;
  const wSum = rounds.reduce((s, r, t) => s + (active[t] ? r.weight : 0), 0);
  if (!(wSum > 0)) throw new AllocationInputError("weight", "combineRounds: the rounds with labels in the domain all have weight 0");

  let estimate = 0;
  let variance = 0;
  let invLab = 0;
  let invKish = 0;
  const perRound = rounds.map((r, t) => {
    const s = stats[t]!;
    const w = active[t] ? r.weight / wSum : 0;
    if (active[t]) {
      estimate += w * s.estimate;
      variance += w * w * s.variance;
      invLab += (w * w) / s.labelled;
      invKish += (w * w) / s.kish;
    }
    return {
      round: r.round,
      weight: w,
      estimate: active[t] ? s.estimate : null,
      se: active[t] ? Math.sqrt(s.variance) : null,
      drawn: s.drawn,
      labelled: s.labelled,
    };
  });
  const nLabelled = labelledItems.reduce((a, b) => a + b, 0);
  const se = Math.sqrt(variance);
  const z = level === 0.95 ? Z_95 : zForLevel(level);
  if (kind === "mean") {
    return { estimate, se, lower: estimate - z * se, upper: estimate + z * se, level, nLabelled, perRound, variance, nEff: null };
  }
  const p = Math.min(1, Math.max(0, estimate));
  const spread = p * (1 - p);
  // Weights are normalised, so w̃ with one round is 1 and the sizes are that round's.
  const nLab = 1 / invLab;
  const nKish = 1 / invKish;
  const nEff = variance > 0 && spread > 0 ? Math.min(spread / variance, nLab) : nKish;
  const { lower, upper } = wilsonEffective(p, nEff, z);
  return { estimate, se, lower: Math.max(0, lower), upper: Math.min(1, upper), level, nLabelled, perRound, variance, nEff };
}
