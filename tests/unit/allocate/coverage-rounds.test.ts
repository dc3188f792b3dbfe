// Simulation (a): do intervals that combine a rules round and an active round cover the truth?
// 2,000 seeded campaigns of a demo-like population (lib/allocate/simulation.ts: Zipf languages, a judge accurate and
// calibrated on common languages, biased, noisy and over-confident on rare ones). Round 1 = the current rules
// (π = 1 when confidence < 0.6 or tail ≥ 0.8, else 0.1; in half the campaigns the budgeted variant, π ∝ priority
// as budgetedPis). Round 2 = active: fitErrorModel on round 1's labels, activePis with a budget and π_min. Both
// rounds draw independently over the whole population. Half the campaigns lose a random 10–20 % of drawn items to
// non-response. combineRounds estimates the judge–human agreement in the tail bucket (tail ≥ 0.8) and overall;
// the truth is the population's own agreement rate.
import { describe, expect, it } from "vitest";
import { activePis, combineRounds, fitErrorModel, predictError, roundWeight, type RoundData } from "@/lib/allocate";
import { demoPopulation, rulesTargets } from "@/lib/allocate/simulation";
import { budgetedPis } from "@/lib/routing/route-items";
import { createRng } from "@/lib/stats";

const CAMPAIGNS = 2000;
const N = 2500;
const ROUND1_BUDGET = 300; // budgeted rules variant
const ROUND2_BUDGET = 250;
const PI_MIN = 0.02;

type Tally = { covered: number; total: number; width: number };
const tally = (): Tally => ({ covered: 0, total: 0, width: 0 });

function domainEstimate(idx: readonly number[], y: readonly (number | null)[], designs: { pi: number[]; drawn: boolean[] }[]) {
  const rounds: RoundData[] = designs.map((d, t) => {
    const pi = idx.map((i) => d.pi[i]!);
    return { round: t + 1, weight: roundWeight(pi), pi, drawn: idx.map((i) => d.drawn[i]!) };
  });
  return combineRounds(
    idx.map((i) => y[i]!),
    rounds,
    { kind: "proportion" },
  );
}

type Out = Record<"tail" | "overall" | "tailNr" | "overallNr" | "tailBudgeted" | "overallBudgeted", Tally>;

function campaign(seed: number, out: Out) {
  const rng = createRng(seed);
  const pop = demoPopulation(rng, N);
  const { targeted, urgency } = rulesTargets(pop);
  const budgeted = seed % 2 === 1;
  const nonResponse = seed % 4 >= 2 ? 0.1 + 0.1 * rng.next() : 0;
  const respond = pop.map(() => rng.next() >= nonResponse);

  const pi1 = budgeted ? budgetedPis(pop.map((_, i) => (targeted[i] ? 1 + urgency[i]! : 0.1)), ROUND1_BUDGET) : targeted.map((t) => (t ? 1 : 0.1));
  const drawn1 = pi1.map((p) => rng.next() < p);
  // Round 2's design may use everything round 1 taught: the error model on round 1's labels.
  const fit = fitErrorModel(pop.flatMap((it, i) => (drawn1[i] && respond[i] ? [{ confidence: it.confidence, tail: it.tail, group: it.group, error: !it.agree }] : [])));
  const q = pop.map((it) => predictError(fit, { confidence: it.confidence, tail: it.tail, group: it.group }));
  const pi2 = activePis(q, ROUND2_BUDGET, PI_MIN);
  const drawn2 = pi2.map((p) => rng.next() < p);
  // An item drawn in either round is labelled unless it is one nobody answers.
  const y = pop.map((it, i) => ((drawn1[i] || drawn2[i]) && respond[i] ? (it.agree ? 1 : 0) : null));
  const designs = [
    { pi: pi1, drawn: drawn1 },
    { pi: pi2, drawn: drawn2 },
  ];

  const all = pop.map((_, i) => i);
  const tailIdx = all.filter((i) => pop[i]!.tail >= 0.8);
  for (const [name, idx] of [["tail", tailIdx], ["overall", all]] as const) {
    const truth = idx.reduce((s, i) => s + (pop[i]!.agree ? 1 : 0), 0) / idx.length;
    const e = domainEstimate(idx, y, designs);
    if (e === null) throw new Error(`campaign ${seed}: no labels in ${name}`);
    const extra = [...(nonResponse > 0 ? [out[`${name}Nr`]] : []), ...(budgeted ? [out[`${name}Budgeted`]] : [])];
    for (const t of [out[name], ...extra]) {
      t.total++;
      t.width += e.upper - e.lower;
      if (e.lower <= truth && truth <= e.upper) t.covered++;
    }
  }
}

describe("combineRounds coverage over a rules round and an active round", () => {
  it("covers the tail bucket's and the overall agreement at ≥ 93 % (95 % intervals), with and without non-response", () => {
    // tail / overall: every campaign; …Nr: those with non-response; …Budgeted: those whose round 1 is budgeted.
    const out: Out = { tail: tally(), overall: tally(), tailNr: tally(), overallNr: tally(), tailBudgeted: tally(), overallBudgeted: tally() };
    for (let s = 1; s <= CAMPAIGNS; s++) campaign(s, out);
    const rate = (t: Tally) => t.covered / t.total;
    const summary = Object.fromEntries(
      Object.entries(out).map(([k, t]) => [k, { coverage: Number(rate(t).toFixed(4)), campaigns: t.total, meanWidth: Number((t.width / t.total).toFixed(4)) }]),
    );
    console.log("simulated coverage (combineRounds, 95 % intervals):", JSON.stringify(summary));
    expect(out.tail.total).toBe(CAMPAIGNS);
    expect(out.tailNr.total).toBe(CAMPAIGNS / 2);
    expect(out.tailBudgeted.total).toBe(CAMPAIGNS / 2);
    for (const t of Object.values(out)) expect(rate(t)).toBeGreaterThanOrEqual(0.93);
  }, 120_000);
});
