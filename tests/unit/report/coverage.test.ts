/**
 * Monte Carlo coverage of the intervals THE REPORT SHOWS, driven through the report's own path end to end:
 * routeItems + sampleDesign (lib/routing/route-items.ts) → inclusion records → per-cell population counts and
 * labelled rows (as db/queries/report.ts reportCells / labelledItems build them from the database) →
 * assembleReport (lib/report/assemble.ts: buildUnits' non-response adjustment, computeStratum's Hájek agreement
 * and prediction-powered bias). Pure, no database; every campaign is seeded, so the test is deterministic.
 *
 * Simulation design (one campaign; CAMPAIGNS of them, each with fresh items and its own routing seed):
 * - N = 2,000 items in 6 groups of fixed Zipf-like sizes (1100, 380, 220, 140, 90, 70). The tail score is the
 *   group rarity (lib/tail/group-rarity.ts): 0, 0.55, 0.74, 0.85, 0.92, 0.965. With cuts [0.5, 0.8] that is a
 *   bulk bucket (1 group, 1,100 items), a middle bucket (2 groups, 600) and a tail bucket (3 groups, 300).
 * - Likert 1–5 rubric. Each item has a true quality q (mean 3.2 on the bulk, 2.6 on the rest, sd 1.1) and a
 *   FIXED set of 3 human ratings round(q + N(0, 0.5²)) clipped to 1–5, drawn for every item up front: these are
 *   the potential outcomes, so the population truth is defined on all N items.
 * - The judge scores round(q + shift + N(0, sd²)), clipped: accurate on the bulk (shift 0, sd 0.45), biased
 *   upward and noisier in the middle (+0.3, 0.6) and on the tail (+0.8, 0.9). Its confidence is informative on
 *   the bulk (0.95 − 0.6|error| + noise), weakly informative and over-confident in the middle, and over-confident
 *   and uninformative on the tail (≈ 0.9 whatever the error).
 * - Routing: the report's routeItems with {confidenceThreshold 0.6, tailThreshold 0.8, controlRate 0.15}, seed
 *   `coverage-<campaign>`, then sampleDesign (no prior labels). So every tail-bucket item is routed (π = 1),
 *   low-confidence items are routed (π = 1), the rest are a 15 % control sample.
 * - Partial non-response: each sampled item gets its ratings with probability 0.7, independently (missing at
 *   random within cells); respondents show all 3 of their ratings, so the consensus the report forms on a
 *   labelled item is exactly the one used for the truth.
 * - Truth per stratum (overall, each bucket, each group), over ALL the stratum's N items: judge agreement = share
 *   where the judge's scale index equals the median consensus index (lib/report/units.ts itemConsensus, the
 *   report's default "median" on sorted codes); bias = mean of (judge − median consensus value).
 * - Figures read from the report: judgeAgreement / bias (routing- and non-response-corrected) and
 *   judgeAgreementNaive / biasNaive (the labelled items as a simple random sample). resamples = 20: only the
 *   α/κ/ρ bootstraps use it and they are not under test (tableBootstrapMany gives an interval when at least half
 *   the resamples are defined, so 20 is valid, just coarse).
 *
 * Measured (1,000 campaigns, seeds 1..1000; ~560 labelled items per campaign), share of campaigns whose 95 %
 * interval covers the truth, corrected (judgeAgreement, bias) / naive (judgeAgreementNaive, biasNaive), and the
 * corrected interval's implied SE (half-width / 1.96) over the empirical RMSE of its estimate:
 *   stratum          labelled   agreement  corr / naive    bias  corr / naive    SE/RMSE agreement, bias
 *   overall             562               0.960 / 0.000          0.976 / 0.008    1.03, 1.15
 *   bucket 0–0.5        263               0.965 / 0.006          0.976 / 0.977    1.08, 1.09
 *   bucket 0.5–0.8       89               0.955 / 0.522          0.964 / 0.472    0.98, 1.09
 *   bucket 0.8–1        210               1.000 / 1.000          1.000 / 1.000    1.81, 1.98
 *   group g0 (bulk)     263               0.965 / 0.006          0.976 / 0.977    1.08, 1.09
 *   group g1             57               0.961 / 0.667          0.966 / 0.639    0.99, 1.09
 *   group g2             33               0.962 / 0.813          0.950 / 0.760    0.96, 1.03
 *   group g3             98               1.000 / 1.000          1.000 / 0.999    1.74, 1.97
 *   group g4             63               1.000 / 1.000          1.000 / 1.000    1.72, 1.92
 *   group g5             49               1.000 / 1.000          0.998 / 0.998    1.71, 1.95
 * Reading it: the naive figures fail wherever the labelled set over-represents what routing chose (overall: the
 * tail and the low-confidence items; the bulk's agreement: the low-confidence items, where the judge is wrong
 * more often; the middle bucket: weakly). They cover where they are not biased in this design: the tail bucket is
 * routed whole (π = 1, so labelled items are a random 70 % of it), and the bulk judge's errors are symmetric, so
 * over-sampling its low-confidence items leaves the mean difference unbiased. The corrected intervals are ~1.8–2×
 * too wide on the tail (π = 1, 70 % response, so 70 % of the finite stratum is observed), both in
 * lib/stats/weighted.ts: hajekProportion's Wilson interval at the Kish n is p(1 − p)/n with no finite-population
 * correction (factor 1/√0.3 ≈ 1.83 here), and predictionPoweredBias takes max(seDesign, seSuper), where seSuper
 * (sd of ξ·d/π over the stratum's N items, items as i.i.d. draws) is the binding one and has no such correction
 * either (seDesign, Σ(1 − π)/π²·d² on uncentred d, is inflated too when the bias is far from 0). Conservative,
 * not wrong: this test asserts the floor (≥ 93 %) only.
 * Runtime: 11–29 s for the 1,000 campaigns on a shared 2-core machine, depending on load (≈ 9 ms per assembleReport).
 */
import { describe, expect, it } from "vitest";
import { assembleReport, type CellRow } from "@/lib/report/assemble";
import { bucketIndex } from "@/lib/report/params";
import type { Report, ReportParams, StratumReport } from "@/lib/report/types";
import { itemConsensus, numericScale, type LabelledRow } from "@/lib/report/units";
import { routeItems, sampleDesign } from "@/lib/routing/route-items";
import { createRng, Z_95, type Rng } from "@/lib/stats";
import { groupRarityScores } from "@/lib/tail/group-rarity";
import type { Rubric, RoutingPolicy } from "@/lib/validation/campaign";

const CAMPAIGNS = 1000;
const GROUP_SIZES = [1100, 380, 220, 140, 90, 70];
const GROUP_NAMES = GROUP_SIZES.map((_, g) => `g${g}`);
const K = 3;
const RESPONSE_RATE = 0.7;
const RESAMPLES = 20;
const rubric = { type: "likert", min: 1, max: 5 } satisfies Rubric;
const policy: RoutingPolicy = { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.15 };
const params: ReportParams = { cuts: [0.5, 0.8], minN: 10, reference: { kind: "bucket" } };
const numeric = numericScale(rubric)!;

const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const toScale = (x: number) => clip(Math.round(x), 1, 5);

type SimItem = {
  itemId: number;
  externalId: string;
  group: string;
  tail: number;
  bucket: number;
  judgeScore: number;
  confidence: number;
  /** The item's 3 potential human ratings (observed only if it is sampled and responds). */
  ratings: number[];
  /** Truth ingredients: judge index == median consensus index, and judge − median consensus value. */
  agree: boolean;
  diff: number;
};

// Judge behaviour by tail bucket: 0 bulk, 1 middle, 2 tail.
const JUDGE = [
  { shift: 0, sd: 0.45, conf: (err: number, rng: Rng) => 0.95 - 0.6 * Math.abs(err) + 0.1 * rng.normal() },
  { shift: 0.3, sd: 0.6, conf: (err: number, rng: Rng) => 0.95 - 0.25 * Math.abs(err) + 0.1 * rng.normal() },
  { shift: 0.8, sd: 0.9, conf: (_err: number, rng: Rng) => 0.9 + 0.05 * rng.normal() },
];

/** Fixed group column and its group-rarity tail scores (the same in every campaign). */
const groupOf: string[] = GROUP_SIZES.flatMap((n, g) => new Array<string>(n).fill(GROUP_NAMES[g]!));
const tailOf = groupRarityScores(groupOf);
const N = groupOf.length;

function simulateItems(rng: Rng): SimItem[] {
  return groupOf.map((group, i) => {
    const tail = tailOf[i]!;
    const bucket = bucketIndex(tail, params.cuts)!;
    const q = clip((bucket === 0 ? 3.2 : 2.6) + 1.1 * rng.normal(), 1, 5);
    const ratings = Array.from({ length: K }, () => toScale(q + 0.5 * rng.normal()));
    const j = JUDGE[bucket]!;
    const raw = q + j.shift + j.sd * rng.normal();
    const judgeScore = toScale(raw);
    const confidence = clip(j.conf(raw - q, rng), 0, 1);
    const codes = ratings.map((r) => r - rubric.min);
    const sorted = codes.slice().sort((a, b) => a - b);
    const c = itemConsensus("median", sorted, codes, numeric);
    return {
      itemId: i + 1,
      externalId: `item-${i + 1}`,
      group,
      tail,
      bucket,
      judgeScore,
      confidence,
      ratings,
      agree: judgeScore - rubric.min === c.code,
      diff: judgeScore - c.value!,
    };
  });
}

/**
 * What the database would hand assembleReport: reportCells (per (group, bucket, reason) cell of the run's
 * inclusion records: items, sampled, routed; reason null outside the sample) and labelledItems (sampled items
 * with ≥ 1 counted rating, π and reason from the inclusion record).
 */
function reportInputs(items: readonly SimItem[], routingSeed: string, rng: Rng, prior?: { labelPi: number }): { population: Omit<CellRow, "fullyJudged">[]; rows: LabelledRow[] } {
  const decisions = routeItems(items.map((it) => ({ key: it.externalId, confidence: it.confidence, tail: it.tail })), policy, routingSeed);
  const cells = new Map<string, Omit<CellRow, "fullyJudged">>();
  const rows: LabelledRow[] = [];
  items.forEach((it, i) => {
    const d = decisions[i]!;
    // A prior study (when simulated) drew each item with probability labelPi, independently of routing; its labels
    // were imported for the items it drew, and every item of its frame carries its label_pi.
    const drawn = prior !== undefined && rng.next() < prior.labelPi;
    const design = sampleDesign(d, prior ? prior.labelPi : null, drawn);
    const reason = design.inSample ? design.reason : null;
    const bucket = bucketIndex(it.tail, params.cuts);
    const key = JSON.stringify([it.group, bucket, reason]);
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { group: it.group, bucket, reason, items: 0, judged: 0, sampled: 0, routed: 0 }));
    cell.items++;
    cell.judged++;
    if (design.inSample) cell.sampled++;
    if (d.routed) cell.routed++;
    // Non-response: drawn for every item so the stream does not depend on routing. Prior labels are all there.
    const responds = rng.next() < RESPONSE_RATE || drawn;
    if (design.inSample && responds) {
      rows.push({ itemId: it.itemId, externalId: it.externalId, group: it.group, tail: it.tail, pi: design.pi, reason, judgeScore: it.judgeScore, values: it.ratings.slice() });
    }
  });
  return { population: [...cells.values()], rows };
}

type Truth = { agreement: number; bias: number };

function truthOf(items: readonly SimItem[]): Truth {
  let agree = 0;
  let diff = 0;
  for (const it of items) {
    if (it.agree) agree++;
    diff += it.diff;
  }
  return { agreement: agree / items.length, bias: diff / items.length };
}

type Tally = {
  agree: number;
  agreeNaive: number;
  bias: number;
  biasNaive: number;
  runs: number;
  missing: number;
  labelled: number;
  /** Σ (estimate − truth)² and Σ half-width / 1.96 of the corrected figures (the interval's implied SE). */
  agreeSq: number;
  agreeSe: number;
  biasSq: number;
  biasSe: number;
};
const newTally = (): Tally => ({ agree: 0, agreeNaive: 0, bias: 0, biasNaive: 0, runs: 0, missing: 0, labelled: 0, agreeSq: 0, agreeSe: 0, biasSq: 0, biasSe: 0 });
const covers = (iv: { lower: number; upper: number } | null, truth: number) => iv !== null && iv.lower <= truth && truth <= iv.upper;

function tally(t: Tally, s: StratumReport | undefined, truth: Truth): void {
  t.runs++;
  if (!s || !s.judgeAgreement || !s.bias || !s.judgeAgreementNaive || !s.biasNaive) {
    t.missing++;
    return;
  }
  t.labelled += s.counts.labelled;
  t.agreeSq += (s.judgeAgreement.estimate - truth.agreement) ** 2;
  t.agreeSe += (s.judgeAgreement.upper - s.judgeAgreement.lower) / (2 * Z_95);
  t.biasSq += (s.bias.estimate - truth.bias) ** 2;
  t.biasSe += (s.bias.upper - s.bias.lower) / (2 * Z_95);
  if (covers(s.judgeAgreement, truth.agreement)) t.agree++;
  if (covers(s.judgeAgreementNaive, truth.agreement)) t.agreeNaive++;
  if (covers(s.bias, truth.bias)) t.bias++;
  if (covers(s.biasNaive, truth.bias)) t.biasNaive++;
}

const BUCKET_KEYS = ["0–0.5", "0.5–0.8", "0.8–1"];

describe("report intervals: Monte Carlo coverage through routing → labels → assembleReport", () => {
  it(`judgeAgreement and bias cover the population value in ≥ 93% of ${CAMPAIGNS} campaigns in every bucket; the naive figures do not`, () => {
    const started = performance.now();
    const tallies = new Map<string, Tally>();
    const get = (name: string) => tallies.get(name) ?? tallies.set(name, newTally()).get(name)!;
    for (let c = 1; c <= CAMPAIGNS; c++) {
      const rng = createRng(c);
      const items = simulateItems(rng);
      const { population, rows } = reportInputs(items, `coverage-${c}`, rng);
      const report: Report = assembleReport({
        campaignId: `sim-${c}`,
        rubric,
        params,
        watermark: "sim",
        computedAt: new Date(0),
        population,
        k: K,
        rows,
        resamples: RESAMPLES,
      });
      tally(get("overall"), report.overall, truthOf(items));
      BUCKET_KEYS.forEach((key, b) => tally(get(`bucket ${key}`), report.buckets.find((s) => s.key === key), truthOf(items.filter((it) => it.bucket === b))));
      for (const g of GROUP_NAMES) tally(get(`group ${g}`), report.groups.find((s) => s.key === g), truthOf(items.filter((it) => it.group === g)));
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = (k: number, t: Tally) => k / t.runs;
    const lines = [...tallies.entries()].map(
      ([name, t]) =>
        `${name.padEnd(16)} agreement ${rate(t.agree, t).toFixed(3)} / naive ${rate(t.agreeNaive, t).toFixed(3)}   ` +
        `bias ${rate(t.bias, t).toFixed(3)} / naive ${rate(t.biasNaive, t).toFixed(3)}   ` +
        `implied SE / RMSE: agreement ${(t.agreeSe / Math.sqrt(t.agreeSq * t.runs)).toFixed(2)}, bias ${(t.biasSe / Math.sqrt(t.biasSq * t.runs)).toFixed(2)}   mean labelled ${(t.labelled / t.runs).toFixed(0)}${t.missing ? `, missing ${t.missing}` : ""}`,
    );
    console.log(`coverage over ${CAMPAIGNS} campaigns (N = ${N}), ${seconds.toFixed(1)} s:\n${lines.join("\n")}`);

    // The report's corrected intervals: ≥ 93 % overall, in every tail bucket and (the report shows them too) in
    // every group.
    for (const [name, t] of tallies) {
      expect(t.missing, `${name}: strata without figures`).toBe(0);
      expect(rate(t.agree, t), `${name}: judgeAgreement coverage`).toBeGreaterThanOrEqual(0.93);
      expect(rate(t.bias, t), `${name}: bias coverage`).toBeGreaterThanOrEqual(0.93);
    }
    // The naive figures where the design biases them (measured 0.000 / 0.008 overall, 0.006 for the bulk's
    // agreement, 0.522 / 0.472 in the middle bucket).
    const naive = (name: string) => tallies.get(name)!;
    expect(rate(naive("overall").agreeNaive, naive("overall")), "overall: judgeAgreementNaive coverage").toBeLessThan(0.2);
    expect(rate(naive("overall").biasNaive, naive("overall")), "overall: biasNaive coverage").toBeLessThan(0.2);
    expect(rate(naive("bucket 0–0.5").agreeNaive, naive("bucket 0–0.5")), "bulk: judgeAgreementNaive coverage").toBeLessThan(0.2);
    expect(rate(naive("bucket 0.5–0.8").agreeNaive, naive("bucket 0.5–0.8")), "middle: judgeAgreementNaive coverage").toBeLessThan(0.75);
    expect(rate(naive("bucket 0.5–0.8").biasNaive, naive("bucket 0.5–0.8")), "middle: biasNaive coverage").toBeLessThan(0.75);
  }, 120_000);
});

describe("report intervals with prior labels from a probability sample (label_pi)", () => {
  it("stay honest when a prior study drew items with label_pi 0.5 and routing drew others: π of the union", () => {
    const runs = 300;
    const t = { overall: newTally(), tail: newTally(), bulk: newTally() };
    for (let c = 1; c <= runs; c++) {
      const rng = createRng(10_000 + c);
      const items = simulateItems(rng);
      const { population, rows } = reportInputs(items, `prior-${c}`, rng, { labelPi: 0.5 });
      const report = assembleReport({ campaignId: `prior-${c}`, rubric, params, watermark: "sim", computedAt: new Date(0), population, k: K, rows, resamples: RESAMPLES });
      tally(t.overall, report.overall, truthOf(items));
      tally(t.bulk, report.buckets.find((s) => s.key === "0–0.5"), truthOf(items.filter((it) => it.bucket === 0)));
      tally(t.tail, report.buckets.find((s) => s.key === "0.8–1"), truthOf(items.filter((it) => it.bucket === 2)));
    }
    for (const [name, x] of Object.entries(t)) {
      expect(x.missing, `${name}: strata without figures`).toBe(0);
      expect(x.agree / x.runs, `${name}: judgeAgreement coverage`).toBeGreaterThanOrEqual(0.93);
      expect(x.bias / x.runs, `${name}: bias coverage`).toBeGreaterThanOrEqual(0.93);
    }
  }, 120_000);
});

