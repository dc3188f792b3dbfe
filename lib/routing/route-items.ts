import type { RoutingPolicy } from "@/lib/validation/campaign";
import { uniformFromKey } from "@/lib/random";

export type RoutableItem = { key: string; confidence: number | null; tail: number | null };
export type RouteDecision = {
  routed: boolean;
  /** Inclusion probability π under the design (null when the item cannot be drawn, never for routed items). */
  pi: number;
  reason: "low_confidence" | "tail" | "control" | null;
  /** Assignment order, higher first; in [0, 2]. */
  priority: number;
  /** The seeded uniform draw: routed ⇔ u < π. Kept in the inclusion record so an auditor can check each draw. */
  u: number;
};

/**
 * Routing (design notes, "Routing"): an item goes to people with π = 1 when the judge is unsure
 * (confidence < c, a missing confidence counts as unsure) or the item is rare (tail ≥ t); every other item is
 * drawn with probability p (π = p), the random control sample that keeps estimates unbiased.
 * With a budget B, Poisson sampling with π ∝ priority, capped at 1 and scaled so Σπ = B.
 * Draws come from uniformFromKey(seed, key), so the result does not depend on row order.
 */
export function routeItems(items: readonly RoutableItem[], policy: RoutingPolicy, seed: string): RouteDecision[] {
  const target = items.map((it) => targetReason(it, policy));
  const urgency = items.map((it) => Math.max(it.tail ?? 0, 1 - (it.confidence ?? 0)));
  const draws = items.map((it) => uniformFromKey(seed, it.key));
  const pis = policy.budget !== undefined && policy.budget < items.length
    ? budgetedPis(items.map((_, i) => (target[i] ? 1 + urgency[i]! : policy.controlRate)), policy.budget)
    : target.map((r) => (r ? 1 : policy.controlRate));
  return items.map((_, i) => {
    const pi = pis[i]!;
    const routed = draws[i]! < pi;
    const reason = routed ? (target[i] ?? "control") : null;
    // Targeted items are ordered by urgency; control items get an independent draw in the same range so
    // they interleave with targeted work instead of starving behind it.
    const second = uniformFromKey(`${seed}:priority`, items[i]!.key);
    const priority = !routed ? 0 : target[i] ? 1 + urgency[i]! : 1 + second;
    return { routed, pi, reason, priority, u: draws[i]! };
  });
}

export type SampleDesign = {
  /** In the labelled-sample design: routed to people, or holding imported prior labels. */
  inSample: boolean;
  /** Inclusion probability in that design. */
  pi: number;
  reason: "low_confidence" | "tail" | "control" | "prior_labels" | "active" | "escalate" | null;
};

/**
 * An item's place in the sample the report estimates from. Two independent draws can put it there: the routing
 * draw (π_r) and the draw of the prior study whose labels were imported (π_p: the row's label_pi, or 1 for a
 * census). The union has π = 1 − (1 − π_r)(1 − π_p), which is what a Horvitz–Thompson or Hájek estimator needs
 * for every sampled item — including items routed to people that the prior study could have drawn but did not
 * (their label_pi says so); an item outside the prior study's frame has π_p = 0. Items holding prior labels form
 * their own reason (and so their own non-response cell): they are labelled by construction, unlike routed items
 * still waiting for people.
 */
export function sampleDesign(d: Pick<RouteDecision, "routed" | "pi"> & { reason: SampleDesign["reason"] }, priorPi: number | null, hasPrior = priorPi !== null): SampleDesign {
  const pi = priorPi === null ? d.pi : 1 - (1 - d.pi) * (1 - priorPi);
  if (hasPrior) return { inSample: true, pi, reason: "prior_labels" };
  return { inSample: d.routed, pi, reason: d.routed ? d.reason : null };
}

function targetReason(it: RoutableItem, policy: RoutingPolicy): "low_confidence" | "tail" | null {
  if (it.tail !== null && it.tail >= policy.tailThreshold) return "tail";
  if (it.confidence === null || it.confidence < policy.confidenceThreshold) return "low_confidence";
  return null;
}

/**
 * π_i = min(1, λ·w_i) with λ chosen so Σπ_i = budget (iterative capping, as in conditional Poisson designs).
 * Every π stays > 0 so every item keeps a known, positive chance of inclusion.
 */
export function budgetedPis(weights: readonly number[], budget: number): number[] {
  const n = weights.length;
  const pis = new Array<number>(n).fill(0);
  const capped = new Array<boolean>(n).fill(false);
  let remaining = Math.min(budget, n);
  for (let iter = 0; iter < n + 1; iter++) {
    let free = 0;
    for (let i = 0; i < n; i++) if (!capped[i]) free += weights[i]!;
    if (free <= 0) break;
    const lambda = remaining / free;
    let newlyCapped = false;
    for (let i = 0; i < n; i++) {
      if (capped[i]) continue;
      const p = lambda * weights[i]!;
      if (p >= 1) {
        capped[i] = true;
        pis[i] = 1;
        remaining -= 1;
        newlyCapped = true;
      } else pis[i] = p;
    }
    if (!newlyCapped) break;
  }
  return pis.map((p) => Math.min(1, Math.max(p, 1e-9)));
}
