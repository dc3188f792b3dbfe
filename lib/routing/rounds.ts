/**
 * Rounds (design notes, "The evaluation record": round). Under an `active` or `escalate` policy every routing run
 * after the first is a round t that draws every item of the population again, independently, with a probability
 * π_t fixed before the round from everything earlier (the labels of rounds 1..t−1):
 * - active: π_t ∝ √(predicted judge error), the error model fitted on the labels so far, with the floor π_min and
 *   the per-round budget Σπ_t = B (lib/allocate/active.ts);
 * - escalate: π_t = 1 for items below their tail bucket's trust threshold (or in a bucket with none), the control
 *   rate p for the rest (lib/allocate/trust.ts).
 * The run's inclusion records keep two designs at once:
 * - this round's draw (routePi = π_t, u, routed ⇔ u < π_t): what lib/allocate/rounds.ts combines across rounds
 *   (per-round inverse-probability terms, Σ_t w_t θ̂_t);
 * - the sample as it stands (inSample: drawn in any round so far; pi = 1 for items earlier rounds drew — they are
 *   certainty units given the past — and π_t for the rest): a design conditionally unbiased given rounds 1..t−1,
 *   which every figure of the report reads like any run's.
 * Pure: the caller reads items, labels and the previous run, and writes the result.
 */
import { activePis } from "@/lib/allocate/active";
import { fitErrorModel, predictError, type ErrorModelFit } from "@/lib/allocate/error-model";
import { trustCertificate, type TrustCertificate } from "@/lib/allocate/trust";
import { uniformFromKey } from "@/lib/random";
import { DEFAULT_PI_MIN, DEFAULT_TRUST_DELTA, DEFAULT_TRUST_TARGET, type RoutingPolicy } from "@/lib/validation/campaign";
import { sampleDesign } from "./route-items";

export type RoundItem = {
  key: string;
  confidence: number | null;
  tail: number | null;
  group: string | null;
  /** Tail bucket (index into the report's cuts) for the escalate thresholds. */
  bucket: number | null;
  priorPi: number | null;
  hasPrior: boolean;
  /** Routed to people by the previous run (kept: rounds add to the pool, never take from it). */
  wasRouted: boolean;
  /** The previous run's record when it had the item in its sample. */
  previous: { reason: string | null } | null;
};

/** A labelled item of the rounds so far: index into the items, whether the judge disagreed with the consensus, π of its unit. */
export type RoundLabel = { index: number; error: boolean; pi: number };

export type RoundDecision = {
  /** This round's draw. */
  routePi: number;
  u: number;
  drawn: boolean;
  /** In the assignment pool after this round. */
  routed: boolean;
  inSample: boolean;
  pi: number;
  reason: string | null;
  priority: number;
};

export type RoundDetails = {
  kind: "active" | "escalate";
  round: number;
  /** Σ π_t: the expected number of items this round draws (its weight when rounds are combined). */
  expected: number;
  labelsUsed: number;
  budget?: number;
  piMin?: number;
  errorModel?: ErrorModelFit;
  trustTarget?: number;
  trustDelta?: number;
  thresholds?: { bucket: number | null; threshold: number | null; reason: TrustCertificate["reason"]; n: number }[];
};

export function designRound(input: {
  items: readonly RoundItem[];
  policy: RoutingPolicy;
  kind: "active" | "escalate";
  seed: string;
  round: number;
  labels: readonly RoundLabel[];
}): { decisions: RoundDecision[]; details: RoundDetails } {
  const { items, policy, kind, round } = input;
  const draws = items.map((it) => uniformFromKey(`${input.seed}:round:${round}`, it.key));
  let routePis: number[];
  let urgency: number[];
  let drawnReason: (i: number) => "active" | "escalate" | "control";
  const details: RoundDetails = { kind, round, expected: 0, labelsUsed: input.labels.length };
  if (kind === "active") {
    const fit = fitErrorModel(
      input.labels.map((l) => {
        const it = items[l.index]!;
        return { confidence: it.confidence, tail: it.tail, group: it.group, error: l.error };
      }),
    );
    const q = items.map((it) => predictError(fit, { confidence: it.confidence, tail: it.tail, group: it.group }));
    const piMin = policy.piMin ?? DEFAULT_PI_MIN;
    const budget = Math.min(policy.budget ?? items.length, items.length);
    routePis = activePis(q, budget, piMin);
    urgency = q;
    drawnReason = () => "active";
    Object.assign(details, { budget, piMin, errorModel: fit });
  } else {
    const target = policy.trustTarget ?? DEFAULT_TRUST_TARGET;
    const delta = policy.trustDelta ?? DEFAULT_TRUST_DELTA;
    const byBucket = new Map<number | null, { confidence: number; agree: boolean; pi: number }[]>();
    for (const l of input.labels) {
      const it = items[l.index]!;
      if (it.confidence === null) continue;
      const list = byBucket.get(it.bucket) ?? [];
      list.push({ confidence: it.confidence, agree: !l.error, pi: l.pi });
      byBucket.set(it.bucket, list);
    }
    const buckets = [...new Set(items.map((it) => it.bucket))].sort((a, b) => (a ?? -1) - (b ?? -1));
    const thresholds = new Map<number | null, number | null>();
    details.thresholds = buckets.map((b) => {
      const cert = trustCertificate(byBucket.get(b) ?? [], { target, delta });
      thresholds.set(b, cert.threshold);
      return { bucket: b, threshold: cert.threshold, reason: cert.reason, n: cert.n };
    });
    routePis = items.map((it) => {
      const t = thresholds.get(it.bucket) ?? null;
      return t !== null && it.confidence !== null && it.confidence >= t ? policy.controlRate : 1;
    });
    urgency = items.map((it) => 1 - (it.confidence ?? 0));
    drawnReason = (i) => (routePis[i]! === 1 ? "escalate" : "control");
    Object.assign(details, { trustTarget: target, trustDelta: delta });
  }
  details.expected = routePis.reduce((s, p) => s + p, 0);
  const decisions = items.map((it, i): RoundDecision => {
    const routePi = routePis[i]!;
    const u = draws[i]!;
    const drawn = u < routePi;
    let inSample: boolean;
    let pi: number;
    let reason: string | null;
    if (it.previous) {
      // Drawn by an earlier round: a certainty unit given the past.
      inSample = true;
      pi = 1;
      reason = it.previous.reason;
    } else {
      const s = sampleDesign({ routed: drawn, pi: routePi, reason: drawn ? drawnReason(i) : null }, it.priorPi, it.hasPrior);
      inSample = s.inSample;
      pi = s.pi;
      reason = s.reason;
    }
    const routed = it.wasRouted || drawn;
    return { routePi, u, drawn, routed, inSample, pi, reason, priority: routed ? 1 + urgency[i]! : 0 };
  });
  return { decisions, details };
}
