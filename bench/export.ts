// npm run bench -- export [--rows 1000000] [--small 100000] [--parquet false]
// Export judgments as CSV (COPY path, and the keyset path for comparison) and Parquet through the same code as the
// API (lib/export), from real PostgreSQL, into a hashing sink. Rows/s per format, and this process's peak RSS while
// exporting `small` rows and `rows` rows: constant memory means the two are about equal. The reference, in the same
// run: raw `COPY (select <the same columns>) TO STDOUT (FORMAT csv)` of the same rows, drained into /dev/null
// (rawCopy below), i.e. what PostgreSQL and the driver cost with no formatting rules, pseudonyms or hashing.
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { campaigns, users } from "@/db/schema";
import type { Db } from "@/db";
import { exportChunks, type ExportStats } from "@/lib/export/encode";
import { judgmentsExport } from "@/lib/export/kinds/judgments";
import { BATCH_SIZE } from "@/lib/export/service";
import type { ExportFormat } from "@/lib/export/types";
import { freshDatabase, log, num, rssSampler } from "./lib";

const RATERS = 10;

async function makeCampaign(db: Db, ownerIds: string[], slug: string, rows: number) {
  const [c] = await db
    .insert(campaigns)
    .values({ slug, name: slug, rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 }, routingSeed: "bench-seed", status: "active", ownerId: ownerIds[0]! })
    .returning();
  const nItems = Math.ceil(rows / RATERS);
  await db.execute(sql`
    insert into items (campaign_id, external_id, input, output, model, metadata, "group", judge_score, judge_confidence, tail_score, routed, inclusion_prob, route_reason)
    select ${c!.id}, 'item-' || g, 'Prompt number ' || g, 'An answer of moderate length for item ' || g, 'judge-v1', jsonb_build_object('language', 'l' || (g % 12)),
           'l' || (g % 12), to_jsonb(1 + g % 5), (g % 100) / 100.0, (g % 97) / 97.0, true, 1, 'tail'
    from generate_series(1, ${nItems}) g`);
  const ids = sql.raw(`array[${ownerIds.map((id) => `'${id}'::uuid`).join(",")}]`);
  await db.execute(sql`
    insert into judgments (campaign_id, item_id, annotator_id, value, rationale, time_taken_ms, source)
    select ${c!.id}, i.id, (${ids})[r], to_jsonb(1 + (i.id + r) % 5), case when r % 3 = 0 then '=looks fine' else 'reason ' || i.id end, 1000 + (i.id * r) % 60000, 'app'
    from items i cross join generate_series(1, ${RATERS}) r
    where i.campaign_id = ${c!.id}
    order by i.id, r
    limit ${rows}`);
  return c!;
}

async function run(db: Db, pgUrl: string | undefined, campaign: typeof campaigns.$inferSelect, format: ExportFormat) {
  if (typeof global.gc === "function") global.gc();
  const rss = rssSampler();
  const stats: ExportStats = { rows: 0, bytes: 0, sha256: null };
  const t0 = performance.now();
  for await (const chunk of exportChunks(judgmentsExport, format, { db, campaign, secret: "bench-secret-bench-secret-bench-secret", batchSize: BATCH_SIZE, pgUrl }, stats)) void chunk;
  const s = (performance.now() - t0) / 1000;
  const peak = rss.stop();
  log(`${format}${pgUrl || format !== "csv" ? "" : " (keyset pages)"}: ${stats.rows} rows in ${s.toFixed(2)} s (${Math.round(stats.rows / s)} rows/s), ${(stats.bytes / 2 ** 20).toFixed(1)} MiB, peak RSS ${peak} MB`);
  return { rows: stats.rows, perS: Math.round(stats.rows / s), peak };
}

/**
 * The reference: the export's rows and columns as stored (rater id instead of pseudonym, raw jsonb value and
 * timestamps, no formula neutralisation, no provenance constants), in the same order, as CSV by COPY on a
 * connection of its own, drained into /dev/null. Returns rows/s.
 */
async function rawCopy(url: string, campaignId: string, rows: number): Promise<number> {
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await raw`set jit = off`;
    const t = performance.now();
    const stream = await raw.unsafe(`copy (
      select j.id, i.external_id, coalesce(j.annotator_id, j.external_rater_id), j.value, j.rationale, j.time_taken_ms, j.source,
             j.created_at, j.updated_at, j.guidelines_version, i.inclusion_prob, i.route_reason, i.model, j.item_version
      from judgments j join items i on i.id = j.item_id
      where j.campaign_id = '${campaignId}'
      order by j.id) to stdout with (format csv)`).readable();
    await pipeline(stream, fs.createWriteStream("/dev/null"));
    const s = (performance.now() - t) / 1000;
    log(`raw COPY to /dev/null: ${rows} rows in ${s.toFixed(2)} s (${Math.round(rows / s)} rows/s)`);
    return rows / s;
  } finally {
    await raw.end();
  }
}

export default async function exportBench(flags: Record<string, string>) {
  const rows = num(flags, "rows", 1_000_000);
  const small = Math.min(rows, num(flags, "small", 100_000));
  const bdb = await freshDatabase(4);
  try {
    const db = bdb.db;
    const owners = await db
      .insert(users)
      .values(Array.from({ length: RATERS }, (_, i) => ({ email: `rater${i}@bench.invalid`, name: `Rater ${i}` })))
      .returning({ id: users.id });
    const ownerIds = owners.map((o) => o.id);
    log(`generating ${small} + ${rows} judgments…`);
    const smallC = await makeCampaign(db, ownerIds, "bench-small", small);
    const bigC = await makeCampaign(db, ownerIds, "bench-big", rows);
    await db.execute(sql`analyze`);
    // CSV as the app serves it on PostgreSQL (COPY); the keyset path PGlite uses runs last, on the small campaign.
    const csvSmall = await run(db, bdb.url, smallC, "csv");
    // The reference runs right before and right after the app's CSV export of the big campaign (averaged).
    const ref1 = await rawCopy(bdb.url, bigC.id, rows);
    const csvBig = await run(db, bdb.url, bigC, "csv");
    const ref2 = await rawCopy(bdb.url, bigC.id, rows);
    const refPerS = Math.round((ref1 + ref2) / 2);
    // --parquet false skips the Parquet runs (minutes on a loaded machine) when only the CSV ratio is wanted.
    const skipParquet = flags.parquet === "false";
    const parquetSmall = skipParquet ? null : await run(db, bdb.url, smallC, "parquet");
    const parquetBig = skipParquet ? null : await run(db, bdb.url, bigC, "parquet");
    // Last: RSS only grows within a process, and this comparison run should not inflate the figures above.
    const csvKeyset = await run(db, undefined, smallC, "csv");
    return {
      rows: csvBig.rows,
      csv_rows_per_s: csvBig.perS,
      raw_copy_rows_per_s: refPerS,
      raw_copy_before_rows_per_s: Math.round(ref1),
      raw_copy_after_rows_per_s: Math.round(ref2),
      ratio: Math.round((csvBig.perS / refPerS) * 100) / 100,
      target: "CSV rows/s ≥ 0.7 × raw COPY to /dev/null",
      parquet_rows_per_s: parquetBig?.perS ?? null,
      rss_mb_100k: csvSmall.peak,
      rss_mb_1m: csvBig.peak,
      parquet_rss_mb_100k: parquetSmall?.peak ?? null,
      parquet_rss_mb_1m: parquetBig?.peak ?? null,
      small_rows: csvSmall.rows,
      csv_keyset_rows_per_s: csvKeyset.perS,
      batch_rows: BATCH_SIZE,
    };
  } finally {
    await bdb.drop();
  }
}
