/**
 * Figures for one stratum (overall, a tail bucket or a group) from its labelled units and its population
 * counts. Pure; every interval is seeded, so the same data always gives the same report.
 */
import { Z_95, alphaFromFlat, hajekProportion, kappaFromFlat, predictionPoweredBias, spearmanFromFlat, tableBootstrap, tableBootstrapMany, typeUnitsBy, unitCoincidences, weightedMeanInterval, wilsonInterval, type MeasurementLevel } from "@/lib/stats";
import { hash53 } from "@/lib/random";
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

export type Population = { items: number; judged: number; routed: number; sampled: number; fullyJudged: number };

const normal = (estimate: number, se: number): IntervalValue => ({ estimate, lower: estimate - Z_95 * se, upper: estimate + Z_95 * se });

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
  const pairable = units.filter((u) => u.hhCodes.length >= 2);
  const counts: Counts = { ...population, labelled: units.length, pairable: pairable.length };
  const base: StratumReport = {
    kind, key, label, range, counts, enough: false,
    humanAlpha: null, humanAgreement: null, judgeAgreement: null, judgeAgreementNaive: null,
    kappa: null, kappaUnweighted: null, kappaLinear: null, kappaQuadratic: null, rho: null, rhoMean: null,
    bias: null, biasNaive: null, biasMean: null, biasMeanNaive: null, worse: null,
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
        const c = unitCoincidences(u.hhCodes, k);
        return { cells: c.cells, amounts: c.amounts.map((a) => a * u.w) };
      },
    );
    humanAlpha = tableBootstrap(types, k * k, (flat) => alphaFromFlat(flat, ctx.scale, ctx.alphaLevel), boot("alpha"));
    const share = weightedMeanInterval(pairable.map((u) => u.pairShare), pairable.map((u) => u.w), { clip: [0, 1] });
    humanAgreement = { estimate: share.estimate, lower: share.lower, upper: share.upper };
  }

  // Judge vs consensus, on units whose judge score is on the scale.
  const judged = units.filter((u): u is Unit & { judge: number } => u.judge !== null);
  let judgeAgreement: IntervalValue | null = null;
  let judgeAgreementNaive: IntervalValue | null = null;
  let kappa: IntervalValue | null = null;
  let kappaUnweighted: IntervalValue | null = null;
  let kappaLinear: IntervalValue | null = null;
  let kappaQuadratic: IntervalValue | null = null;
  let rho: IntervalValue | null = null;
  let rhoMean: IntervalValue | null = null;
  let bias: IntervalValue | null = null;
  let biasNaive: IntervalValue | null = null;
  let biasMean: IntervalValue | null = null;
  let biasMeanNaive: IntervalValue | null = null;
  if (judged.length >= ctx.minN) {
    const agree = hajekProportion(judged.map((u) => u.judge === u.consensus), judged.map((u) => u.pi));
    judgeAgreement = { estimate: agree.estimate, lower: agree.lower, upper: agree.upper };
    const agreeN = judged.filter((u) => u.judge === u.consensus).length;
    const w = wilsonInterval(agreeN, judged.length);
    judgeAgreementNaive = { estimate: w.estimate, lower: w.lower, upper: w.upper };

    // κ (three weightings) and ρ are functions of the weighted judge × consensus table; they share its resamples.
    const types = typeUnitsBy(judged, (u) => u.weightId * k * k + u.judge * k + u.consensus, (u) => ({ cells: [u.judge * k + u.consensus], amounts: [u.w] }));
    const statistics = [(flat: Float64Array) => kappaFromFlat(flat, k, ctx.kappaWeights), (flat: Float64Array) => kappaFromFlat(flat, k, "unweighted")];
    if (ctx.likert) {
      statistics.push((flat) => kappaFromFlat(flat, k, "linear"), (flat) => kappaFromFlat(flat, k, "quadratic"), (flat) => spearmanFromFlat(flat, ctx.scale, ctx.scale));
    }
    [kappa = null, kappaUnweighted = null, kappaLinear = null, kappaQuadratic = null, rho = null] = tableBootstrapMany(types, k * k, statistics, boot("judge"));

    if (ctx.numeric) {
      const diffs = judged.map((u) => ({ d: u.judgeValue! - u.consensusValue!, pi: u.pi }));
      // The bias is a mean over the items the judge scored: N is theirs, not the stratum's (items imported without
      // a judge score would otherwise shrink it toward 0).
      [bias, biasNaive] = biasPair(population.judged, diffs);
      const diffsMean = judged.map((u) => ({ d: u.judgeValue! - u.humanMean!, pi: u.pi }));
      [biasMean, biasMeanNaive] = biasPair(population.judged, diffsMean);
    }
    if (ctx.likert) {
      // ρ against the human mean: the mean of m ratings takes few distinct values, so it is a table too (judge
      // rows × distinct means, ascending), bootstrapped like the rest.
      const means = [...new Set(judged.map((u) => u.humanMean!))].sort((a, b) => a - b);
      const col = new Map(means.map((m, i) => [m, i]));
      const c = means.length;
      const meanTypes = typeUnitsBy(judged, (u) => (u.weightId * k + u.judge) * c + col.get(u.humanMean!)!, (u) => ({ cells: [u.judge * c + col.get(u.humanMean!)!], amounts: [u.w] }));
      rhoMean = tableBootstrap(meanTypes, k * c, (flat) => spearmanFromFlat(flat, ctx.scale, means), boot("rho-mean"));
    }
  }
  return {
    ...base, enough: true, humanAlpha, humanAgreement, judgeAgreement, judgeAgreementNaive,
    kappa, kappaUnweighted, kappaLinear, kappaQuadratic, rho, rhoMean, bias, biasNaive, biasMean, biasMeanNaive,
  };
}

/** Judge bias mean(f − Y): prediction-powered over the stratum's N items, and naive over the labelled ones. */
function biasPair(n: number, diffs: readonly { d: number; pi: number }[]): [IntervalValue, IntervalValue] {
  const b = predictionPoweredBias(n, diffs);
  const m = diffs.length;
  const mean = diffs.reduce((s, x) => s + x.d, 0) / m;
  const sd = Math.sqrt(diffs.reduce((s, x) => s + (x.d - mean) ** 2, 0) / Math.max(1, m - 1));
  return [{ estimate: b.estimate, lower: b.lower, upper: b.upper }, normal(mean, sd / Math.sqrt(m))];
}
