/**
 * The report's allocation section (docs/methodology.md, "Active allocation, rounds and trust certificates"):
 * - trust certificates per tail bucket and group: the lowest judge confidence λ above which the judge agrees
 *   with the human consensus at ≥ the target rate with probability ≥ 1 − δ (fixed-sequence test), and the share
 *   of the stratum's items it covers; "escalate" for the rest;
 * - failure yield: judge errors found (judge ≠ consensus) per human label spent, by inclusion reason and by round;
 * - rounds: judge agreement and bias combined across the rounds of an active or escalate sequence (Σ_t w_t θ̂_t).
 * Pure: the caller supplies units, confidences, the confidence profile of the population and the rounds' draws.
 */
import { combineRounds, roundWeight, type RoundData } from "@/lib/allocate/rounds";
import { trustCertificate, type TrustCertificate } from "@/lib/allocate/trust";
import type { IntervalValue } from "./types";
import type { Unit } from "./units";

export type ConfidenceProfileRow = { bucket: number | null; group: string | null; /** floor(confidence × 100), null when none. */ c: number | null; n: number };

export type TrustRow = {
  kind: "overall" | "bucket" | "group";
  key: string;
  label: string;
  threshold: number | null;
  /** Share of the stratum's items (all of them, labelled or not) with judge confidence ≥ threshold. */
  coverage: number;
  /** Items in the stratum, and labelled items with a confidence the test could use. */
  items: number;
  labelled: number;
  /** Labelled items at or above the threshold, their weighted agreement and the upper bound on disagreement. */
  n: number;
  agreement: number | null;
  disagreementUpper: number | null;
  reason: TrustCertificate["reason"];
};

export type YieldRow = { key: string; label: string; labelledItems: number; humanLabels: number; judgeErrors: number; perLabel: number | null };

export type RoundRun = { runId: string; round: number; kind: string; at: string; expected: number };

export type RoundsStratum = {
  kind: "overall" | "bucket" | "group";
  key: string;
  label: string;
  agreement: IntervalValue | null;
  bias: IntervalValue | null;
  perRound: { round: number; weight: number; estimate: number | null; drawn: number; labelled: number }[];
};

export type AllocationSection = {
  trust: { target: number; delta: number; rows: TrustRow[] };
  yield: { byReason: YieldRow[]; byRound: YieldRow[] };
  /** unseen: items left out because an earlier round of the sequence did not consider them (imported later). */
  rounds: { runs: RoundRun[]; strata: RoundsStratum[]; unseen: number } | null;
};

export type StratumRef = { kind: "overall" | "bucket" | "group"; key: string; label: string; bucket?: number | null; group?: string | null };

const REASON_LABEL: Record<string, string> = {
  low_confidence: "Low judge confidence",
  tail: "Tail",
  control: "Control sample",
  prior_labels: "Imported labels",
  active: "Active allocation",
  escalate: "Escalated",
};

function yieldRow(key: string, label: string, units: readonly Unit[]): YieldRow {
  let humanLabels = 0;
  let judgeErrors = 0;
  let labelledItems = 0;
  for (const u of units) {
    if (u.judge === null) continue;
    labelledItems++;
    humanLabels += u.codes.length;
    if (u.judge !== u.consensus) judgeErrors++;
  }
  return { key, label, labelledItems, humanLabels, judgeErrors, perLabel: humanLabels > 0 ? judgeErrors / humanLabels : null };
}

export function allocationSection(input: {
  strata: readonly StratumRef[];
  units: readonly Unit[];
  /** Inclusion reason of each labelled unit (by item id), and the judge confidence its record holds. */
  reasonOf: ReadonlyMap<number, string | null>;
  confidenceOf: ReadonlyMap<number, number | null>;
  profile: readonly ConfidenceProfileRow[];
  target: number;
  delta: number;
  minN: number;
  rounds?: {
    runs: RoundRun[];
    /** Population of the latest run, in one order: bucket and group of each item, and its unit index (labelled) or -1. */
    items: { itemId: number; bucket: number | null; group: string | null }[];
    /** Per run (same order as runs), per item (same order as items): π of the round's draw and whether it drew the item. */
    draws: { pi: Float64Array; drawn: Uint8Array }[];
  };
}): AllocationSection {
  const { units, strata } = input;
  // One pass to sort observations and profile rows into strata (a report may have many groups and many units).
  const keyOf = (s: StratumRef) => (s.kind === "overall" ? "o" : s.kind === "bucket" ? `b${s.bucket}` : `g${s.group === null ? "\u0000" : s.group}`);
  const keysFor = (bucket: number | null, group: string | null) => ["o", `b${bucket}`, `g${group === null ? "\u0000" : group}`];
  const obsBy = new Map<string, { confidence: number; agree: boolean; pi: number }[]>();
  for (const u of units) {
    const c = input.confidenceOf.get(u.itemId) ?? null;
    if (c === null || u.judge === null) continue;
    const o = { confidence: c, agree: u.judge === u.consensus, pi: u.pi };
    for (const k of keysFor(u.bucket, u.group)) {
      const list = obsBy.get(k);
      if (list) list.push(o);
      else obsBy.set(k, [o]);
    }
  }
  const profileBy = new Map<string, ConfidenceProfileRow[]>();
  for (const p of input.profile) {
    for (const k of keysFor(p.bucket, p.group)) {
      const list = profileBy.get(k);
      if (list) list.push(p);
      else profileBy.set(k, [p]);
    }
  }
  const trust: TrustRow[] = strata.map((s) => {
    const obs = obsBy.get(keyOf(s)) ?? [];
    const cert = trustCertificate(obs, { target: input.target, delta: input.delta, minN: input.minN });
    let items = 0;
    let covered = 0;
    for (const p of profileBy.get(keyOf(s)) ?? []) {
      items += p.n;
      if (cert.threshold !== null && p.c !== null && p.c >= Math.round(cert.threshold * 100)) covered += p.n;
    }
    return {
      kind: s.kind,
      key: s.key,
      label: s.label,
      threshold: cert.threshold,
      coverage: items > 0 ? covered / items : 0,
      items,
      labelled: obs.length,
      n: cert.n,
      agreement: cert.agreement,
      disagreementUpper: cert.disagreementUpper,
      reason: cert.reason,
    };
  });

  const byReasonUnits = new Map<string, Unit[]>();
  for (const u of units) {
    const r = input.reasonOf.get(u.itemId) ?? "none";
    const list = byReasonUnits.get(r) ?? [];
    list.push(u);
    byReasonUnits.set(r, list);
  }
  const byReason = [...byReasonUnits.entries()]
    .map(([r, us]) => yieldRow(r, REASON_LABEL[r] ?? r, us))
    .sort((a, b) => a.key.localeCompare(b.key));

  let byRound: YieldRow[] = [];
  let rounds: AllocationSection["rounds"] = null;
  if (input.rounds && input.rounds.runs.length > 0) {
    const { runs, items, draws } = input.rounds;
    const unitOf = new Map(units.map((u) => [u.itemId, u]));
    // The round that first drew each labelled item: its labels are what that round's policy bought.
    const firstRound = new Map<number, number>();
    items.forEach((it, i) => {
      for (let t = 0; t < runs.length; t++) if (draws[t]!.drawn[i]) return void firstRound.set(it.itemId, t);
    });
    byRound = runs.map((run, t) =>
      yieldRow(`${run.round}`, `Round ${run.round} (${run.kind})`, units.filter((u) => firstRound.get(u.itemId) === t)),
    );
    const idxBy = new Map<string, number[]>();
    // An item a round never saw (imported after it) has no π there: rounds combine over the items all of them saw.
    let unseen = 0;
    items.forEach((it, i) => {
      if (draws.some((d) => !(d.pi[i]! > 0))) return void unseen++;
      for (const k of keysFor(it.bucket, it.group)) {
        const list = idxBy.get(k);
        if (list) list.push(i);
        else idxBy.set(k, [i]);
      }
    });
    const roundsStrata: RoundsStratum[] = strata.map((s) => {
      const idx = idxBy.get(keyOf(s)) ?? [];
      const agreeY = idx.map((i) => {
        const u = unitOf.get(items[i]!.itemId);
        return u && u.judge !== null ? (u.judge === u.consensus ? 1 : 0) : null;
      });
      const biasY = idx.map((i) => {
        const u = unitOf.get(items[i]!.itemId);
        return u && u.judgeValue !== null && u.consensusValue !== null ? u.judgeValue - u.consensusValue : null;
      });
      const data: RoundData[] = runs.map((run, t) => {
        const pi = idx.map((i) => draws[t]!.pi[i]!);
        // A predictable weight: the round's expected Kish size over the domain, from its design alone.
        return { round: run.round, weight: idx.length > 0 ? roundWeight(pi) : 0, pi, drawn: idx.map((i) => draws[t]!.drawn[i] === 1) };
      });
      const a = combineRounds(agreeY, data, { kind: "proportion" });
      const b = biasY.some((y) => y !== null) ? combineRounds(biasY, data, { kind: "mean" }) : null;
      return {
        kind: s.kind,
        key: s.key,
        label: s.label,
        agreement: a ? { estimate: a.estimate, lower: a.lower, upper: a.upper } : null,
        bias: b ? { estimate: b.estimate, lower: b.lower, upper: b.upper } : null,
        perRound: (a?.perRound ?? []).map((p) => ({ round: p.round, weight: p.weight, estimate: p.estimate, drawn: p.drawn, labelled: p.labelled })),
      };
    });
    rounds = { runs, strata: roundsStrata, unseen };
  }
  return { trust: { target: input.target, delta: input.delta, rows: trust }, yield: { byReason, byRound }, rounds };
}
