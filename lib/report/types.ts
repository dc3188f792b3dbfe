import type { AllocationSection } from "./allocation";
// The disagreement report as computed by lib/report and returned by GET /api/v1/campaigns/{id}/report.
// Numbers are null (never NaN) when a stratum has too little data; `enough` says why.

export type RubricKind = "likert" | "binary" | "categorical" | "pairwise";

/** A point estimate with a 95% interval. */
export type IntervalValue = { estimate: number; lower: number; upper: number };

export type StratumKind = "overall" | "bucket" | "group";

export type Counts = {
  /** Items in the stratum (the population N: every non-gold item of the run's design). */
  items: number;
  /** Items with a judge score (the population of the judge's bias). */
  judged: number;
  /** Items routed to people. */
  routed: number;
  /** Items in the sample: routed to people or holding imported prior labels. */
  sampled: number;
  /** Sampled items with at least k counted human ratings (k = the campaign's redundancy). */
  fullyJudged: number;
  /** Sampled items with at least one counted human rating (the labelled set the statistics use). */
  labelled: number;
  /** Labelled items with two or more ratings (pairable for human–human agreement). */
  pairable: number;
};

export type StratumReport = {
  kind: StratumKind;
  /** "all", the bucket label (e.g. "0.8–0.9"), or the group value ("(none)" for items without one). */
  key: string;
  label: string;
  /** Bucket bounds [lower, upper) (the last bucket includes 1); null for groups and overall. */
  range: [number, number] | null;
  counts: Counts;
  /** false when labelled items are fewer than the minimum n: every figure below is then null. */
  enough: boolean;
  /** Human–human Krippendorff's α (level in the report header), bootstrap interval. */
  humanAlpha: IntervalValue | null;
  /** Share of pairs of human ratings on the same item that match exactly (the ceiling for the judge). */
  humanAgreement: IntervalValue | null;
  /** Judge vs human consensus, exact agreement: Hájek-weighted (routing-corrected). */
  judgeAgreement: IntervalValue | null;
  /** The same on the labelled items as if they were a simple random sample (Wilson interval). */
  judgeAgreementNaive: IntervalValue | null;
  /** Cohen's κ judge vs consensus, the headline weighting (quadratic for likert, unweighted otherwise). */
  kappa: IntervalValue | null;
  /** Cohen's κ judge vs consensus, unweighted; design-weighted, bootstrap interval. */
  kappaUnweighted: IntervalValue | null;
  /** Linear-weighted κ (likert only). */
  kappaLinear: IntervalValue | null;
  /** Quadratic-weighted κ (likert only). */
  kappaQuadratic: IntervalValue | null;
  /** Spearman's ρ judge vs consensus (likert only), design-weighted, bootstrap interval. */
  rho: IntervalValue | null;
  /** Spearman's ρ judge vs the mean of the human ratings (likert only). */
  rhoMean: IntervalValue | null;
  /** Mean (judge − consensus): prediction-powered IPW estimate (numeric rubrics only). */
  bias: IntervalValue | null;
  /** Mean (judge − consensus) over the labelled items, unweighted. */
  biasNaive: IntervalValue | null;
  /** Mean (judge − mean of the human ratings), prediction-powered IPW (numeric rubrics only). */
  biasMean: IntervalValue | null;
  /** The same over the labelled items, unweighted. */
  biasMeanNaive: IntervalValue | null;
  /** Test that judge agreement here is lower than in the reference stratum (buckets and groups only). */
  worse: { p: number; q: number; flagged: boolean } | null;
};

export type Disagreement = {
  itemId: number;
  externalId: string;
  /** The item version the ratings and the judge score are of (the run's record). */
  version: number;
  group: string | null;
  bucket: string | null;
  judge: number | string;
  consensus: number | string;
  /** |judge − consensus| on numeric rubrics, 1 on nominal ones. */
  gap: number;
  /** Share of human ratings equal to the consensus (how confident the consensus is). */
  support: number;
  ratings: number;
};

/** What "worse than" compares against: the bulk (lowest) tail bucket, or a group the researcher picks. */
export type ReferenceChoice = { kind: "bucket" } | { kind: "group"; group: string };

export type ReportParams = {
  /** Inner cut points of the tail buckets, ascending in (0, 1); deciles when not set by the researcher. */
  cuts: number[];
  /** Strata with fewer labelled items show "not enough data". */
  minN: number;
  /** Reference of the "worse than" tests (both families); default the bulk tail bucket. */
  reference: ReferenceChoice;
  /** The routing run whose design the report uses; default the latest. */
  run?: string;
};

export type ConsensusMethod = "median" | "majority" | "mean" | "dawid_skene";

/** Why judgments were set aside, in the order the report lists them. */
export type SetAsideReason = "outside_design" | "superseded" | "excluded_rater" | "gold" | "off_scale";

export type Accounting = {
  counted: { items: number; judgments: number };
  setAside: { reason: SetAsideReason; items: number; judgments: number; explanation: string }[];
};

export type Report = {
  version: 2;
  /** Version of the estimators (bump when a formula changes: cached and exported reports say which they used). */
  estimatorVersion: string;
  campaignId: string;
  computedAt: string;
  /** Watermark of the data the report was computed from (judgments, items, exclusions). */
  watermark: string;
  params: ReportParams;
  /** The routing run whose inclusion records the report used (null: the campaign was never routed). */
  design: { runId: string; runAt: string; seed: string; policyVersion: number } | null;
  rubric: RubricKind;
  /** How each item's human consensus was formed. */
  consensus: ConsensusMethod;
  alphaLevel: "interval" | "ordinal" | "nominal";
  kappaWeights: "quadratic" | "unweighted";
  bootstrap: { resamples: number; seed: number; method: string };
  /** Reference strata the "worse" tests compare against, and what it is in words. */
  reference: { kind: "bucket" | "group"; key: string | null; label: string; bucket: string | null; group: string | null };
  /** Every judgment of the campaign: counted, or set aside and why. */
  accounting: Accounting;
  overall: StratumReport;
  buckets: StratumReport[];
  groups: StratumReport[];
  /** Items where the judge and a confident human consensus differ most, top per (group, bucket) cell. */
  disagreements: Disagreement[];
  /** Trust certificates, failure yield and rounds (absent on reports cached before they existed). */
  allocation?: AllocationSection;
  notes: string[];
};
