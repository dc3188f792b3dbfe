/**
 * Figures for one stratum (overall, a tail bucket or a group) from its labelled units and its population
 * counts. Pure; every interval is seeded, so the same data always gives the same report.
 */
import { Z_95, wilsonInterval, type MeasurementLevel } from "@/lib/stats";
import { hash53 } from "@/lib/random";
import { alphaFromFlat, kappaFromFlat, kishEffectiveN, spearmanFromFlat, tableBootstrap, tableBootstrapMany, typeUnitsBy, unitCoincidences, wilsonEffective } from "./tables";
import type { Counts, IntervalValue, StratumKind, StratumReport } from "./types";
import type { Unit } from "./units";

export type StratumContext = {
  /** Scale values in rubric order (numbers for likert/binary; indices stand in for nominal labels). */
  scale: readonly number[];
  /** Numeric values of the scale for the bias, null on nominal rubrics. */
  numeric: readonly number[] | null;
  alphaLevel: MeasurementLevel;
  kappaWeights: "quadratic" | "unweighted";
  likert: boolean;
  minN: number;
  resamples: number;
  seed: number;
};

export type Population = { items: number; routed: number; fullyJudged: number };

const normal = (estimate: number, se: number): IntervalValue => ({ estimate, lower: estimate - Z_95 * se, upper: estimate + Z_95 * se });

/**
 * Judge bias mean(f − Y) over the stratum's N items, prediction-powered with inverse-probability weights
 * (design.md): μ̂_Y = (1/N)Σ_all f + (1/N)Σ_lab (Y − f)/π, so mean(f) − μ̂_Y = (1/N) Σ_lab (f − Y)/π and only
 * N and the labelled items are needed. SE: the larger of the design SE (1/N)√Σ(1−π)/π²·(f−Y)² (items fixed)
 * and the superpopulation SE sd(b)/√N with b_i = ξ_i(f_i − Y_i)/π_i (items as draws, which keeps the interval
 * honest when every item of a stratum was labelled and the design SE is 0).
 */
export function predictionPoweredBias(n: number, labelled: readonly { d: number; pi: number }[]): IntervalValue & { seDesign: number; seSuper: number } {
  let sum = 0;
  let sumSq = 0;
  let design = 0;
  for (const { d, pi } of labelled) {
    const b = d / pi;
    sum += b;
    sumSq += b * b;
    design += ((1 - pi) / (pi * pi)) * d * d;
  }
  const estimate = sum / n;
  const seDesign = Math.sqrt(design) / n;
  const seSuper = Math.sqrt(Math.max(0, sumSq / n - estimate * estimate) / n);
  return { ...normal(estimate, Math.max(seDesign, seSuper)), seDesign, seSuper };
}

function seedFor(base: number, kind: StratumKind, key: string, what: string): number {
  return hash53(`${kind}|${key}|${what}`, base) % 4294967296;
}

export function computeStratum(
  kind: StratumKind,
  key: string,
  label: string,
  range: [number, number] | null,
  units: readonly Unit[],
  population: Population,
  ctx: StratumContext,
): StratumReport {
  const pairable = units.filter((u) => u.codes.length >= 2);
  const counts: Counts = { ...population, labelled: units.length, pairable: pairable.length };
  const base: StratumReport = {
    kind, key, label, range, counts, enough: false,
    humanAlpha: null, humanAgreement: null, judgeAgreement: null, judgeAgreementNaive: null,
    kappa: null, rho: null, bias: null, biasNaive: null, worse: null,
  };
  if (units.length < ctx.minN) return base;
  const k = ctx.scale.length;
  const boot = (what: string) => ({ resamples: ctx.resamples, seed: seedFor(ctx.seed, kind, key, what) });

  // Human–human: design-weighted α and the share of agreeing rating pairs.
  let humanAlpha: IntervalValue | null = null;
  let humanAgreement: IntervalValue | null = null;
  if (pairable.length >= ctx.minN) {
    // Units with the same multiset of ratings and the same weight are one bootstrap type.
    const types = typeUnitsBy(
      pairable,
      (u) => u.alphaKey,
      (u) => {
        const c = unitCoincidences(u.codes, k);
        return { cells: c.cells, amounts: c.amounts.map((a) => a * u.w) };
      },
    );
    humanAlpha = tableBootstrap(types, k * k, (flat) => alphaFromFlat(flat, ctx.scale, ctx.alphaLevel), boot("alpha"));
    const share = pairable.map((u) => u.pairShare);
    const ws = pairable.map((u) => u.w);
    const sw = ws.reduce((s, x) => s + x, 0);
    const mean = share.reduce((s, y, i) => s + ws[i]! * y, 0) / sw;
    const variance = share.reduce((s, y, i) => s + ws[i]! * (y - mean) ** 2, 0) / sw;
    const se = Math.sqrt(variance / kishEffectiveN(ws));
    const iv = normal(mean, se);
    humanAgreement = { estimate: mean, lower: Math.max(0, iv.lower), upper: Math.min(1, iv.upper) };
  }

  // Judge vs consensus, on units whose judge score is on the scale.
  const judged = units.filter((u): u is Unit & { judge: number } => u.judge !== null);
  let judgeAgreement: IntervalValue | null = null;
  let judgeAgreementNaive: IntervalValue | null = null;
  let kappa: IntervalValue | null = null;
  let rho: IntervalValue | null = null;
  let bias: IntervalValue | null = null;
  let biasNaive: IntervalValue | null = null;
  if (judged.length >= ctx.minN) {
    const ws = judged.map((u) => u.w);
    const sw = ws.reduce((s, x) => s + x, 0);
    const agreeW = judged.reduce((s, u) => s + (u.judge === u.consensus ? u.w : 0), 0);
    judgeAgreement = wilsonEffective(agreeW / sw, kishEffectiveN(ws));
    const agreeN = judged.filter((u) => u.judge === u.consensus).length;
    const w = wilsonInterval(agreeN, judged.length);
    judgeAgreementNaive = { estimate: w.estimate, lower: w.lower, upper: w.upper };

    const types = typeUnitsBy(judged, (u) => u.weightId * k * k + u.judge * k + u.consensus, (u) => ({ cells: [u.judge * k + u.consensus], amounts: [u.w] }));
    const statistics = [(flat: Float64Array) => kappaFromFlat(flat, k, ctx.kappaWeights)];
    if (ctx.likert) statistics.push((flat) => spearmanFromFlat(flat, ctx.scale, ctx.scale));
    [kappa = null, rho = null] = tableBootstrapMany(types, k * k, statistics, boot("judge"));

    if (ctx.numeric) {
      const numeric = ctx.numeric;
      const diffs = judged.map((u) => ({ d: numeric[u.judge]! - u.consensusValue!, pi: u.pi }));
      const b = predictionPoweredBias(population.items, diffs);
      bias = { estimate: b.estimate, lower: b.lower, upper: b.upper };
      const n = diffs.length;
      const mean = diffs.reduce((s, x) => s + x.d, 0) / n;
      const sd = Math.sqrt(diffs.reduce((s, x) => s + (x.d - mean) ** 2, 0) / Math.max(1, n - 1));
      biasNaive = normal(mean, sd / Math.sqrt(n));
    }
  }
  return { ...base, enough: true, humanAlpha, humanAgreement, judgeAgreement, judgeAgreementNaive, kappa, rho, bias, biasNaive };
}
