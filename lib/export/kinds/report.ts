import { computeReport } from "@/lib/report/compute";
import { DEFAULT_REPORT_PARAMS } from "@/lib/report/params";
import type { IntervalValue, Report, StratumReport } from "@/lib/report/types";
import type { Column, ExportContext, ExportKind, Row } from "../types";

// (c) The disagreement report: one row per stratum (overall, each tail bucket, each group) with every figure and
// its 95% interval. Computed with the report's parameters (cut points, minimum n, reference, routing run; the
// manifest records them); the bootstrap is seeded, so the same data always gives the same bytes (and sha256).
const FIGURES = [
  "judge_agreement", "judge_agreement_naive", "human_agreement", "human_alpha", "kappa", "kappa_unweighted", "kappa_linear", "kappa_quadratic",
  "rho", "rho_mean", "bias", "bias_naive", "bias_mean", "bias_mean_naive",
] as const;
const pick: Record<(typeof FIGURES)[number], (s: StratumReport) => IntervalValue | null> = {
  judge_agreement: (s) => s.judgeAgreement,
  judge_agreement_naive: (s) => s.judgeAgreementNaive,
  human_agreement: (s) => s.humanAgreement,
  human_alpha: (s) => s.humanAlpha,
  kappa: (s) => s.kappa,
  kappa_unweighted: (s) => s.kappaUnweighted,
  kappa_linear: (s) => s.kappaLinear,
  kappa_quadratic: (s) => s.kappaQuadratic,
  rho: (s) => s.rho,
  rho_mean: (s) => s.rhoMean,
  bias: (s) => s.bias,
  bias_naive: (s) => s.biasNaive,
  bias_mean: (s) => s.biasMean,
  bias_mean_naive: (s) => s.biasMeanNaive,
};

const columns: Column[] = [
  { name: "stratum_kind", type: "string", description: "overall | bucket (tail score) | group (stratification key)" },
  { name: "stratum", type: "string", description: "Bucket range or group value" },
  { name: "items", type: "int64", description: "Items in the stratum (population N)" },
  { name: "routed", type: "int64", description: "Items routed to people" },
  { name: "sampled", type: "int64", description: "Items in the sample (routed or with prior labels)" },
  { name: "fully_judged", type: "int64", description: "Sampled items with at least k counted ratings" },
  { name: "labelled", type: "int64", description: "Sampled items with at least one counted rating" },
  { name: "enough_data", type: "boolean", description: "false when labelled < minimum n (figures are then empty)" },
  ...FIGURES.flatMap((f): Column[] => [
    { name: f, type: "double", description: `${f.replace(/_/g, " ")} (estimate)` },
    { name: `${f}_lower`, type: "double", description: `${f.replace(/_/g, " ")}: 95% interval, lower` },
    { name: `${f}_upper`, type: "double", description: `${f.replace(/_/g, " ")}: 95% interval, upper` },
  ]),
  { name: "worse_than_reference_q", type: "double", description: "Benjamini–Hochberg q of 'judge agreement lower than the reference stratum'" },
  { name: "flagged", type: "boolean", description: "Judge significantly worse than in the reference stratum (q ≤ 0.05)" },
];

export function reportRows(report: Report): Row[] {
  return [report.overall, ...report.buckets, ...report.groups].map((s): Row => [
    s.kind,
    s.label,
    s.counts.items,
    s.counts.routed,
    s.counts.sampled,
    s.counts.fullyJudged,
    s.counts.labelled,
    s.enough,
    ...FIGURES.flatMap((f) => {
      const v = pick[f](s);
      return [v?.estimate ?? null, v?.lower ?? null, v?.upper ?? null];
    }),
    s.worse?.q ?? null,
    s.worse?.flagged ?? false,
  ]);
}

const computed = new WeakMap<ExportContext, Promise<Report>>();

/** The export's report, computed once per export (count, rows and the bundle's report.json share it). */
export function exportedReport(ctx: ExportContext): Promise<Report> {
  let r = computed.get(ctx);
  // A fixed watermark keeps it out of the rows' determinism question entirely.
  // Its time is the data's (ctx.asOf), not the clock's, so the bundle's report.json is the same bytes for the same data.
  if (!r) computed.set(ctx, (r = computeReport(ctx.db, ctx.campaign, ctx.report ?? DEFAULT_REPORT_PARAMS, "export", ctx.asOf ?? new Date())));
  return r;
}
const compute = exportedReport;

export const reportExport: ExportKind = {
  name: "report",
  title: "Disagreement report (overall, tail buckets, groups)",
  columns,
  count: async (ctx) => {
    const r = await compute(ctx);
    return 1 + r.buckets.length + r.groups.length;
  },
  async *batches(ctx) {
    yield reportRows(await compute(ctx));
  },
};
