// npm run bench -- allocate [--items 20000] [--reps 150] [--coverage-reps 1000] [--seed 1] [--pilot-share 0.2] [--half-width 0.05]
// Human labels needed per allocation policy, by seeded simulation (no database): the demo's tail-biased judge
// (lib/allocate/simulation.ts). For each policy, bisection over the total label budget B finds the smallest B at
// which the realised 95 % interval half-width on judge–human agreement, averaged over `reps` simulated campaigns,
// reaches ±half-width in the tail bucket (tail ≥ 0.8); then the empirical coverage of that policy's intervals at
// that budget over `coverage-reps` fresh campaigns. Policies:
//   active  — round 1: the current rules (budgeted, π ∝ priority) on a pilot of pilot-share·B labels; round 2:
//             fitErrorModel on the pilot's labels, activePis(q, B − pilot, π_min); combineRounds.
//   rules   — the current rules with budget B: π ∝ priority (targeted: 1 + urgency, others: control rate 0.1),
//             capped at 1 (budgetedPis).
//   uniform — π = B/N.
// The same is done for the overall agreement (every item), for comparison. Target: active ≥ 30 % fewer labels than
// rules in the tail bucket. Common random numbers: campaign r uses the same population and the same uniforms at
// every budget, so the averaged half-width is smooth in B.
import { activePis, combineRounds, fitErrorModel, predictError, roundWeight, type RoundData } from "@/lib/allocate";
import { demoPopulation, rulesTargets } from "@/lib/allocate/simulation";
import { budgetedPis } from "@/lib/routing/route-items";
import { createRng } from "@/lib/stats";
import { log, num } from "./lib";

export const needsDatabase = false;

// tail_only: every label spent in the tail bucket, uniformly — no real policy (it needs to know the target domain),
// but the floor any design without a model-based estimator can reach there: the limit of the tail comparison.
type Policy = "active" | "rules" | "uniform" | "tail_only";
type Domain = "tail" | "overall";
const POLICIES: Policy[] = ["active", "rules", "uniform"];
const CONTROL_RATE = 0.1;
const PI_MIN_DEFAULT = 0.02;

type Campaign = {
  n: number;
  confidence: Float64Array;
  tail: Float64Array;
  group: string[];
  agree: Uint8Array;
  priority: Float64Array; // the rules' budgeted weights
  u1: Float64Array;
  u2: Float64Array;
  domains: Record<Domain, number[]>;
  truth: Record<Domain, number>;
};

export function makeCampaign(seed: number, n: number): Campaign {
  const rng = createRng(seed);
  const pop = demoPopulation(rng, n);
  const { targeted, urgency } = rulesTargets(pop);
  const all = pop.map((_, i) => i);
  const tailIdx = all.filter((i) => pop[i]!.tail >= 0.8);
  const agree = Uint8Array.from(pop.map((it) => (it.agree ? 1 : 0)));
  const mean = (idx: number[]) => idx.reduce((s, i) => s + agree[i]!, 0) / idx.length;
  return {
    n,
    confidence: Float64Array.from(pop.map((it) => it.confidence)),
    tail: Float64Array.from(pop.map((it) => it.tail)),
    group: pop.map((it) => it.group),
    agree,
    priority: Float64Array.from(pop.map((_, i) => (targeted[i] ? 1 + urgency[i]! : CONTROL_RATE))),
    u1: Float64Array.from(pop, () => rng.next()),
    u2: Float64Array.from(pop, () => rng.next()),
    domains: { tail: tailIdx, overall: all },
    truth: { tail: mean(tailIdx), overall: mean(all) },
  };
}

type Outcome = { halfWidth: number; covered: boolean; labels: number; domainLabels: number };

/** Run one policy at total budget B on a campaign; estimate agreement over `domain`. */
export function runPolicy(c: Campaign, policy: Policy, budget: number, domain: Domain, pilotShare: number): Outcome {
  const n = c.n;
  const designs: { pi: number[]; drawn: boolean[] }[] = [];
  if (policy === "tail_only") {
    const tailIdx = new Set(c.domains.tail);
    const p = Math.min(1, budget / Math.max(1, tailIdx.size));
    const pi = Array.from({ length: n }, (_, i) => (tailIdx.has(i) ? p : 1e-12));
    designs.push({ pi, drawn: pi.map((q, i) => c.u1[i]! < q) });
  } else if (policy === "uniform") {
    const p = Math.min(1, budget / n);
    designs.push({ pi: new Array<number>(n).fill(p), drawn: Array.from(c.u1, (u) => u < p) });
  } else if (policy === "rules") {
    const pi = budgetedPis(Array.from(c.priority), budget);
    designs.push({ pi, drawn: pi.map((p, i) => c.u1[i]! < p) });
  } else {
    const pilot = Math.max(1, Math.round(pilotShare * budget));
    const pi1 = budgetedPis(Array.from(c.priority), pilot);
    const drawn1 = pi1.map((p, i) => c.u1[i]! < p);
    designs.push({ pi: pi1, drawn: drawn1 });
    const obs = [];
    for (let i = 0; i < n; i++) if (drawn1[i]) obs.push({ confidence: c.confidence[i]!, tail: c.tail[i]!, group: c.group[i]!, error: c.agree[i] === 0 });
    const fit = fitErrorModel(obs);
    const q = Array.from({ length: n }, (_, i) => predictError(fit, { confidence: c.confidence[i]!, tail: c.tail[i]!, group: c.group[i]! }));
    const b2 = Math.min(n, Math.max(1, budget - pilot));
    // π_min: the policy default 0.02, lowered so the floor never takes more than a quarter of round 2's budget.
    const piMin = Math.min(PI_MIN_DEFAULT, (0.25 * b2) / n);
    const pi2 = activePis(q, b2, piMin);
    designs.push({ pi: pi2, drawn: pi2.map((p, i) => c.u2[i]! < p) });
  }
  let labels = 0;
  for (let i = 0; i < n; i++) if (designs.some((d) => d.drawn[i])) labels++;
  const idx = c.domains[domain];
  const rounds: RoundData[] = designs.map((d, t) => {
    const pi = idx.map((i) => d.pi[i]!);
    return { round: t + 1, weight: roundWeight(pi), pi, drawn: idx.map((i) => d.drawn[i]!) };
  });
  const y = idx.map((i) => (designs.some((d) => d.drawn[i]) ? c.agree[i]! : null));
  const domainLabels = y.reduce<number>((s, v) => s + (v === null ? 0 : 1), 0);
  const e = combineRounds(y, rounds, { kind: "proportion" });
  if (e === null) return { halfWidth: 0.5, covered: true, labels, domainLabels }; // nothing labelled: the whole [0, 1]
  const truth = c.truth[domain];
  return { halfWidth: (e.upper - e.lower) / 2, covered: e.lower <= truth && truth <= e.upper, labels, domainLabels };
}

function average(campaigns: readonly Campaign[], policy: Policy, budget: number, domain: Domain, pilotShare: number) {
  let hw = 0;
  let covered = 0;
  let labels = 0;
  let domainLabels = 0;
  for (const c of campaigns) {
    const o = runPolicy(c, policy, budget, domain, pilotShare);
    hw += o.halfWidth;
    covered += o.covered ? 1 : 0;
    labels += o.labels;
    domainLabels += o.domainLabels;
  }
  const k = campaigns.length;
  return { halfWidth: hw / k, coverage: covered / k, labels: labels / k, domainLabels: domainLabels / k };
}

/** Smallest integer budget whose mean half-width is ≤ target (bisection; the mean is monotone under common random numbers up to noise). */
function labelsFor(campaigns: readonly Campaign[], policy: Policy, domain: Domain, target: number, pilotShare: number, n: number) {
  let lo = 20;
  let hi = n;
  if (average(campaigns, policy, hi, domain, pilotShare).halfWidth > target) return { budget: n, reached: false };
  if (average(campaigns, policy, lo, domain, pilotShare).halfWidth <= target) return { budget: lo, reached: true };
  while (hi - lo > Math.max(1, Math.round(0.002 * lo))) {
    const mid = Math.round((lo + hi) / 2);
    if (average(campaigns, policy, mid, domain, pilotShare).halfWidth <= target) hi = mid;
    else lo = mid;
  }
  return { budget: hi, reached: true };
}

export default async function allocate(flags: Record<string, string>) {
  const n = num(flags, "items", 20_000);
  const reps = num(flags, "reps", 150);
  const coverageReps = num(flags, "coverage-reps", 1000);
  const seed = num(flags, "seed", 1);
  const pilotShare = num(flags, "pilot-share", 0.2);
  const target = num(flags, "half-width", 0.05);
  const t0 = performance.now();
  log(`allocate: ${n.toLocaleString("en")} items, ${reps} campaigns per bisection step, ${coverageReps} for coverage, seed ${seed}`);
  const campaigns = Array.from({ length: reps }, (_, r) => makeCampaign(seed * 1_000_003 + r, n));
  const tailShare = campaigns.reduce((s, c) => s + c.domains.tail.length / n, 0) / reps;
  const truthTail = campaigns.reduce((s, c) => s + c.truth.tail, 0) / reps;
  const truthOverall = campaigns.reduce((s, c) => s + c.truth.overall, 0) / reps;
  log(`population: tail bucket ${(100 * tailShare).toFixed(1)} % of items, agreement ${truthTail.toFixed(3)} there, ${truthOverall.toFixed(3)} overall`);
  // Fresh campaigns for coverage: other seeds than the bisection's.
  const coverageSeed = (r: number) => seed * 1_000_003 + 500_000 + r;

  // Diagnostic: how much of an item's outcome the error model explains. Hájek estimates vary with (y − θ)²; an
  // estimator using the model's prediction 1 − q as a control variate (prediction-powered, Zrnic & Candès) would
  // vary with (y − (1 − q))². Ratio of the two population means, q from a 200-label rules pilot.
  const explained: Record<Domain, number> = { tail: 0, overall: 0 };
  for (const c of campaigns) {
    const pi1 = budgetedPis(Array.from(c.priority), 200);
    const obs = [];
    for (let i = 0; i < n; i++) if (c.u1[i]! < pi1[i]!) obs.push({ confidence: c.confidence[i]!, tail: c.tail[i]!, group: c.group[i]!, error: c.agree[i] === 0 });
    const fit = fitErrorModel(obs);
    for (const domain of ["tail", "overall"] as const) {
      let hajek = 0;
      let control = 0;
      for (const i of c.domains[domain]) {
        const q = predictError(fit, { confidence: c.confidence[i]!, tail: c.tail[i]!, group: c.group[i]! });
        hajek += (c.agree[i]! - c.truth[domain]) ** 2;
        control += (c.agree[i]! - (1 - q)) ** 2;
      }
      explained[domain] += control / hajek / reps;
    }
  }
  log(`residual variance with the model as control variate / Hájek's: tail ${explained.tail.toFixed(3)}, overall ${explained.overall.toFixed(3)}`);

  // labels: the budget B (expected labels, Σπ over the rounds); realisedLabels: distinct items labelled;
  // domainLabels: of which in the domain (for the tail: how much of the budget landed in the tail bucket).
  type Row = { labels: number; realisedLabels: number; domainLabels: number; halfWidth: number; coverage: number; reached: boolean };
  const results: Record<Domain, Record<Policy, Row>> = { tail: {} as Record<Policy, Row>, overall: {} as Record<Policy, Row> };
  const combos = (["tail", "overall"] as const).flatMap((domain) => [...POLICIES, ...(domain === "tail" ? (["tail_only"] as const) : [])].map((policy) => ({ domain, policy })));
  for (const { domain, policy } of combos) {
    const t = performance.now();
    const { budget, reached } = labelsFor(campaigns, policy, domain, target, pilotShare, n);
    const at = average(campaigns, policy, budget, domain, pilotShare);
    results[domain][policy] = { labels: budget, realisedLabels: Math.round(at.labels), domainLabels: Math.round(at.domainLabels), halfWidth: Number(at.halfWidth.toFixed(4)), coverage: Number.NaN, reached };
    log(`${domain.padEnd(7)} ${policy.padEnd(7)} ${budget} labels (realised ${Math.round(at.labels)}, ${Math.round(at.domainLabels)} in the domain) → mean ±${at.halfWidth.toFixed(4)} [${((performance.now() - t) / 1000).toFixed(1)} s]`);
  }
  // Coverage at each policy's budget, on fresh campaigns (each generated once, used by every policy and domain).
  const t = performance.now();
  const covered = new Map(combos.map((k) => [`${k.domain}/${k.policy}`, 0]));
  for (let r = 0; r < coverageReps; r++) {
    const c = makeCampaign(coverageSeed(r), n);
    for (const { domain, policy } of combos) {
      if (runPolicy(c, policy, results[domain][policy].labels, domain, pilotShare).covered) covered.set(`${domain}/${policy}`, covered.get(`${domain}/${policy}`)! + 1);
    }
  }
  for (const { domain, policy } of combos) {
    results[domain][policy].coverage = Number((covered.get(`${domain}/${policy}`)! / coverageReps).toFixed(4));
    log(`coverage ${domain.padEnd(7)} ${policy.padEnd(7)} ${(100 * results[domain][policy].coverage).toFixed(1)} %`);
  }
  log(`coverage over ${coverageReps} fresh campaigns [${((performance.now() - t) / 1000).toFixed(1)} s]`);
  const ratio = results.tail.active.labels / results.tail.rules.labels;
  const ratioOverall = results.overall.active.labels / results.overall.rules.labels;
  log(`tail bucket: active/rules = ${ratio.toFixed(3)} (target ≤ 0.70: ${ratio <= 0.7 ? "met" : "NOT met"}); overall: active/rules = ${ratioOverall.toFixed(3)}`);
  return {
    items: n,
    reps,
    coverage_reps: coverageReps,
    seed,
    pilot_share: pilotShare,
    half_width: target,
    tail_share: Number(tailShare.toFixed(4)),
    agreement_tail: Number(truthTail.toFixed(4)),
    agreement_overall: Number(truthOverall.toFixed(4)),
    tail: results.tail,
    overall: results.overall,
    ratio_active_rules_tail: Number(ratio.toFixed(3)),
    ratio_active_rules_overall: Number(ratioOverall.toFixed(3)),
    // The limit: even with every label in the tail, a design needs this share of the rules' labels there.
    ratio_tail_only_rules_tail: Number((results.tail.tail_only.labels / results.tail.rules.labels).toFixed(3)),
    control_variate_variance_ratio: { tail: Number(explained.tail.toFixed(3)), overall: Number(explained.overall.toFixed(3)) },
    target: "active needs ≥ 30 % fewer labels than rules in the tail bucket (ratio ≤ 0.70)",
    target_met: ratio <= 0.7,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
  };
}
