/**
 * The report for a campaign: cached in report_cache under its parameters and invalidated by the watermark
 * (new, edited or deleted judgments, changed items, exclusions). Heavy reads go through reportsRead() (a read
 * replica when REPORTS_DATABASE_URL is set and near enough, db/replica.ts); the cache is written on the primary.
 */
import { getDb, getReportsDb, type Db } from "@/db";
import { reportsRead, type ReadFreshness } from "@/db/replica";
import { confidenceProfile, roundDraws, roundSequence } from "@/db/queries/allocation";
import { designRun, disagreementDetails, readReportCache, reportCells, reportJudgments, reportWatermark, writeReportCache, type DisagreementDetail } from "@/db/queries/report";
import { AppError } from "@/lib/errors";
import { isAdaptive } from "@/lib/assign/adaptive-k";
import { DEFAULT_TRUST_DELTA, DEFAULT_TRUST_TARGET } from "@/lib/validation/campaign";
import type { Campaign } from "@/db/schema";
import { assembleReport } from "./assemble";
import { effectiveConsensus } from "./units";
import { reportCacheKey } from "./params";
import type { Disagreement, Report, ReportParams } from "./types";

type CampaignRef = Pick<Campaign, "id" | "k" | "rubric"> & {
  consensus?: Campaign["consensus"];
  routingPolicy?: Campaign["routingPolicy"];
  kMin?: Campaign["kMin"];
  agreeDistance?: Campaign["agreeDistance"];
};

/**
 * Compute without the cache (used by tests and the benchmark's cold run). The design is the inclusion records of
 * one routing run (params.run, else the latest), so a report on a run is the same whatever runs came later.
 */
export async function computeReport(db: Db, campaign: CampaignRef, params: ReportParams, watermark?: string, now = new Date()): Promise<Report> {
  const run = await designRun(db, campaign.id, params.run);
  if (params.run && !run) throw new AppError("not_found", "No routing run with that id in this campaign");
  const consensus = effectiveConsensus(campaign.rubric, campaign.consensus ?? null);
  const adaptive = campaign.kMin != null && isAdaptive({ k: campaign.k, kMin: campaign.kMin }) ? { kMin: campaign.kMin, agreeDistance: campaign.agreeDistance ?? 0 } : null;
  const [w, population, { labelled: rows, accounting }, profile, sequence] = await Promise.all([
    watermark ?? reportWatermark(db, campaign.id),
    run ? reportCells(db, campaign.id, run.id, params.cuts) : [],
    run ? reportJudgments(db, campaign.id, run.id, { raters: consensus === "dawid_skene", arrivalOrder: adaptive !== null }) : { labelled: [], accounting: [] },
    run ? confidenceProfile(db, run.id, params.cuts) : [],
    run ? roundSequence(db, campaign.id, run.id) : [],
  ]);
  // Rounds are combined only when the run ends a sequence of two or more (active or escalate policies).
  const rounds = sequence.length > 1 ? { runs: sequence, ...(await roundDraws(db, sequence, params.cuts)) } : undefined;
  return assembleReport({
    campaignId: campaign.id,
    rubric: campaign.rubric,
    // The run resolved: a report on "the latest" names the run it used, like a report asked for by run.
    params: run ? { ...params, run: run.id } : params,
    watermark: w,
    computedAt: now,
    population,
    k: campaign.k,
    adaptive,
    rows,
    consensus: campaign.consensus ?? null,
    design: run ? { runId: run.id, runAt: run.createdAt, seed: run.seed, policyVersion: run.policyVersion } : null,
    accounting,
    allocation: {
      profile,
      target: campaign.routingPolicy?.trustTarget ?? DEFAULT_TRUST_TARGET,
      delta: campaign.routingPolicy?.trustDelta ?? DEFAULT_TRUST_DELTA,
      ...(rounds ? { rounds } : {}),
    },
  });
}

/**
 * The cached report when its watermark still matches, else a fresh one (then cached). `freshness` says where it was
 * read (db/replica.ts) and belongs to this answer only: it is never stored with the cached report. `reads` is the
 * database it was read from, for follow-up reads of the same page (disagreementPage).
 */
export async function getReport(
  campaign: CampaignRef,
  params: ReportParams,
  dbs?: { reads: Db; writes: Db; freshness?: ReadFreshness },
): Promise<{ report: Report; cached: boolean; freshness: ReadFreshness; reads: Db }> {
  const key = reportCacheKey(params);
  const slot = `${campaign.id}:${key}`;
  // A cache write still in flight from this process is finished before the cache is read (see below), and before
  // the replica's position is compared with the primary's, so a replica read waits for that write too.
  await pendingWrites.get(slot);
  // The watermark and the report are read from the same database: a report read on a lagging replica is keyed by
  // the replica's (older) watermark, never by a newer one than its data.
  const target = dbs ? null : await reportsRead();
  const reads = dbs?.reads ?? target!.db;
  const writes = dbs?.writes ?? (await getDb());
  const freshness: ReadFreshness = dbs ? (dbs.freshness ?? { source: "primary", replayedAt: null, lagMs: null }) : target!.freshness;
  const watermark = await reportWatermark(reads, campaign.id);
  const hit = await readReportCache(reads, campaign.id, key, watermark);
  if (hit) return { report: hit as Report, cached: true, freshness, reads };
  const report = await computeReport(reads, campaign, params, watermark);
  // The report goes back at once; storing it (a ~2 MB jsonb at 100k labelled items, ~0.4 s) happens behind.
  // A failed write only costs the next reader a recomputation.
  const write = writeReportCache(writes, campaign.id, key, watermark, report)
    .catch((e: unknown) => console.error("[report] cache write failed", e))
    .finally(() => {
      if (pendingWrites.get(slot) === write) pendingWrites.delete(slot);
    });
  pendingWrites.set(slot, write);
  return { report, cached: false, freshness, reads };
}

const pendingWrites: Map<string, Promise<void>> = ((globalThis as { __marginReportWrites?: Map<string, Promise<void>> }).__marginReportWrites ??= new Map());

/** Wait for report cache writes still in flight (tests, graceful shutdown). */
export async function settleReportCache(): Promise<void> {
  await Promise.all([...pendingWrites.values()]);
}

export type DisagreementFilter = { group?: string; bucket?: string };

export function filterDisagreements(rows: readonly Disagreement[], filter: DisagreementFilter): Disagreement[] {
  return rows.filter(
    (r) => (filter.group === undefined || (r.group ?? "(none)") === filter.group) && (filter.bucket === undefined || r.bucket === filter.bucket),
  );
}

/** One page of the top-disagreements browser with its evidence (item text, rationales, every rating). */
export async function disagreementPage(
  campaignId: string,
  report: Report,
  filter: DisagreementFilter,
  page: number,
  pageSize: number,
  db?: Db,
): Promise<{ total: number; rows: (Disagreement & { detail: DisagreementDetail | null })[] }> {
  const all = filterDisagreements(report.disagreements, filter);
  const slice = all.slice((page - 1) * pageSize, page * pageSize);
  const details = await disagreementDetails(db ?? (await getReportsDb()), campaignId, slice.map((r) => ({ itemId: r.itemId, version: r.version ?? 1 })));
  return { total: all.length, rows: slice.map((r) => ({ ...r, detail: details.get(r.itemId) ?? null })) };
}
