import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { ZipFile } from "yazl";
import { getDb } from "@/db";
import { reportsRead } from "@/db/replica";
import { exports, type Campaign } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { CONTENT_TYPES, exportChunks, writeExportFile, type ExportStats } from "./encode";
import { countDesign } from "@/db/queries/exports";
import { designRun, reportWatermark } from "@/db/queries/report";
import { exportDataAsOf } from "@/db/queries/export-as-of";
import { AppError } from "@/lib/errors";
import { DEFAULT_REPORT_PARAMS, reportQuery } from "@/lib/report/params";
import type { ReportParams } from "@/lib/report/types";
import { EXPORT_KINDS } from "./kinds";
import { exportedReport } from "./kinds/report";
import { buildManifest, bundleManifest, sha256sums, type BundleRecord, type ManifestFile, type ReportManifest } from "./manifest";
import { pseudonymSecret } from "./pseudonym";
import type { ExportContext, ExportFormat, ExportKind } from "./types";

export const BATCH_SIZE = 10_000;
// Zip entries get a fixed time, 1980-01-01 00:00 (the zip format's first day), in DOS form only: yazl writes the
// DOS time from the server's local clock fields, so a local date gives the same bytes in every time zone, and no
// extended (UTC) timestamp field is written. With a fixed entry order and options, the same data gives the same zip.
const ZIP_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const ZIP_ENTRY = { mtime: ZIP_MTIME, forceDosTimestamp: true, mode: 0o100644 } as const;

export type ExportRequest = {
  campaign: Campaign;
  requesterId: string;
  ip?: string | null;
  format: ExportFormat;
  /** Rows per page and per Parquet row group; tests use small pages. */
  batchSize?: number;
  /** Report parameters for the report and design kinds (default: deciles, minimum n 20, bulk reference, latest run). */
  report?: ReportParams;
};
export type ExportDownload = {
  filename: string;
  contentType: string;
  contentLength?: number;
  rowEstimate: number;
  exportId: string;
  /** The sha256 of the whole download, when known before its first byte (bundles: the zip is built first). */
  sha256?: string;
  body: AsyncGenerator<Uint8Array>;
  /** Releases temp files and readers; safe to call twice. */
  close: () => Promise<void>;
};

async function context(req: ExportRequest): Promise<ExportContext> {
  // One database for every read of this export (the replica, or the primary when it is missing or lagging), and
  // its URL for the COPY path; none on PGlite.
  const { db, url: pgUrl, freshness } = await reportsRead();
  // The routing run is resolved once, so the report, its design file and the manifest all name the same one.
  const params = req.report ?? DEFAULT_REPORT_PARAMS;
  const run = await designRun(db, req.campaign.id, params.run);
  if (params.run && !run) throw new AppError("not_found", "No routing run with that id in this campaign");
  const report: ReportParams = run ? { ...params, run: run.id } : params;
  return { db, campaign: req.campaign, secret: pseudonymSecret(), batchSize: req.batchSize ?? BATCH_SIZE, pgUrl, report, freshness };
}

/** What the manifest records of the report an export carries: its parameters, design and estimators. */
async function reportSection(ctx: ExportContext): Promise<ReportManifest> {
  const report = await exportedReport(ctx);
  return {
    parameters: reportQuery(ctx.report ?? DEFAULT_REPORT_PARAMS),
    runId: report.design?.runId ?? null,
    inclusionRecords: ctx.report?.run ? await countDesign(ctx.db, ctx.report.run) : 0,
    consensus: report.consensus,
    estimatorVersion: report.estimatorVersion,
    k: ctx.campaign.k,
    kMin: ctx.campaign.kMin != null && ctx.campaign.kMin < ctx.campaign.k ? ctx.campaign.kMin : null,
    agreeDistance: ctx.campaign.agreeDistance,
    accounting: report.accounting,
  };
}

/** Record the export and its audit event together, before any byte leaves: an aborted download is still audited. */
async function recordStart(req: ExportRequest, kind: string, format: ExportFormat | "zip", params: Record<string, unknown>): Promise<string> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(exports).values({ campaignId: req.campaign.id, userId: req.requesterId, kind, format, params }).returning({ id: exports.id });
    await recordAudit(tx, { actorId: req.requesterId, action: "export.create", targetType: "export", targetId: row!.id, campaignId: req.campaign.id, ip: req.ip, details: { kind, format, ...params } });
    return row!.id;
  });
}

async function recordFinish(exportId: string, rowCount: number, sha256: string, manifest: object) {
  const db = await getDb();
  await db.update(exports).set({ rowCount, sha256, manifest: manifest as Record<string, unknown> }).where(eq(exports.id, exportId));
}

export const fileName = (campaign: Campaign, kind: string, ext: string) => `${campaign.slug}-${kind}.${ext}`;

/** One kind in one format, streamed; the manifest is stored when the last byte has been produced. */
export async function streamKindExport(req: ExportRequest, kind: ExportKind): Promise<ExportDownload> {
  const ctx = await context(req);
  const usesReport = kind.name === "report" || kind.name === "design";
  const params = { kind: kind.name, format: req.format, ...(usesReport ? { report: reportQuery(ctx.report ?? DEFAULT_REPORT_PARAMS) } : {}) };
  const rowEstimate = await kind.count(ctx);
  const exportId = await recordStart(req, kind.name, req.format, params);
  const name = fileName(req.campaign, kind.name, req.format);
  const stats: ExportStats = { rows: 0, bytes: 0, sha256: null };
  const inner = exportChunks(kind, req.format, ctx, stats);
  // Parquet is complete on disk before its first byte, so its length is known; csv/jsonl stream as produced.
  const first = await inner.next();
  async function* body(): AsyncGenerator<Uint8Array> {
    try {
      if (!first.done) yield first.value;
      for (;;) {
        const next = await inner.next();
        if (next.done) break;
        yield next.value;
      }
      const files: ManifestFile[] = [{ name, kind: kind.name, format: req.format, rows: stats.rows, bytes: stats.bytes, sha256: stats.sha256!, columns: kind.columns }];
      const report = usesReport ? await reportSection(ctx) : undefined;
      const manifest = buildManifest({ exportId, kind: kind.name, format: req.format, parameters: params, campaign: req.campaign, requesterId: req.requesterId, files, contentSha256: sha256Hex(sha256sums(files)), report, freshness: ctx.freshness });
      await recordFinish(exportId, stats.rows, stats.sha256!, manifest);
    } finally {
      await inner.return(undefined);
    }
  }
  return { filename: name, contentType: CONTENT_TYPES[req.format], contentLength: req.format === "parquet" ? stats.totalBytes : undefined, rowEstimate, exportId, body: body(), close: async () => void (await inner.return(undefined)) };
}

const sha256Hex = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

/**
 * Every kind in one format plus report.json, SHA256SUMS and manifest.json, as one zip. Deterministic: the same data
 * gives the same bytes (fixed entry order, time and options; the report and manifest carry the time the data last
 * changed, never the clock's, nor the export id or requester). The zip is built in a temporary folder first, so
 * its sha256 and length are known before the first byte: the export's record (BundleRecord) names the zip's
 * sha256, the response sends it (X-Export-Sha256) with a Content-Length, and the member files are checked against
 * manifest.json and SHA256SUMS inside it.
 */
export async function streamBundleExport(req: ExportRequest): Promise<ExportDownload> {
  const ctx = await context(req);
  const params = { kind: "bundle", format: req.format, kinds: Object.keys(EXPORT_KINDS), report: reportQuery(ctx.report ?? DEFAULT_REPORT_PARAMS) };
  const exportId = await recordStart(req, "bundle", "zip", params);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-bundle-"));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    // The files are read by separate queries (and CSV over its own COPY connection), so a rating submitted while
    // they are written would make them disagree with each other and with the report. The report's watermark
    // (judgments, imports, routing runs, exclusions, campaign edits) is read before and after: when it moved, the
    // files are written again, up to three times; the manifest says whether they come from one unchanged state.
    let files: ManifestFile[] = [];
    let consistent = false;
    // A fresh context per attempt: its report (memoised per context) is computed again with the files.
    let round: ExportContext = ctx;
    for (let attempt = 1; attempt <= 3 && !consistent; attempt++) {
      const before = await reportWatermark(ctx.db, req.campaign.id);
      round = { ...ctx, asOf: await exportDataAsOf(ctx.db, req.campaign.id) };
      files = [];
      for (const kind of Object.values(EXPORT_KINDS)) {
        const name = fileName(req.campaign, kind.name, req.format);
        const s = await writeExportFile(kind, req.format, round, path.join(dir, name));
        files.push({ name, kind: kind.name, format: req.format, rows: s.rows, bytes: s.bytes, sha256: s.sha256!, columns: kind.columns });
      }
      // The report as the app computed it, whole: what scripts/reproduce-report.py checks its recomputation against.
      const reportJson = Buffer.from(`${JSON.stringify(await exportedReport(round), null, 2)}\n`);
      const reportName = fileName(req.campaign, "report", "json");
      fs.writeFileSync(path.join(dir, reportName), reportJson);
      files.push({ name: reportName, kind: "report", format: "json", rows: 1, bytes: reportJson.length, sha256: createHash("sha256").update(reportJson).digest("hex"), columns: [] });
      consistent = (await reportWatermark(ctx.db, req.campaign.id)) === before;
    }
    const sums = sha256sums(files);
    const full = buildManifest({ exportId, kind: "bundle", format: "zip", parameters: { ...params, consistentSnapshot: consistent }, campaign: req.campaign, requesterId: req.requesterId, files, contentSha256: sha256Hex(sums), report: await reportSection(round), freshness: ctx.freshness });
    const inZip = bundleManifest(full, round.asOf!);
    const manifestJson = Buffer.from(`${JSON.stringify(inZip, null, 2)}\n`);

    const zipName = `${req.campaign.slug}-bundle-${req.format}.zip`;
    const zipPath = path.join(dir, "bundle.zip");
    const zip = new ZipFile();
    // Fixed order: the data files in registry order, report.json, SHA256SUMS, manifest.json.
    for (const f of files) zip.addFile(path.join(dir, f.name), f.name, { ...ZIP_ENTRY, compress: f.format !== "parquet" });
    zip.addBuffer(Buffer.from(sums), "SHA256SUMS", { ...ZIP_ENTRY, compress: true });
    zip.addBuffer(manifestJson, "manifest.json", { ...ZIP_ENTRY, compress: true });
    zip.end();
    const hash = createHash("sha256");
    let zipBytes = 0;
    await new Promise<void>((resolve, reject) => {
      const out = fs.createWriteStream(zipPath);
      zip.outputStream.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        zipBytes += chunk.length;
      });
      zip.outputStream.on("error", reject);
      out.on("error", reject);
      out.on("finish", () => resolve());
      zip.outputStream.pipe(out);
    });
    const zipSha256 = hash.digest("hex");
    const record: BundleRecord = { ...full, dataAsOf: inZip.dataAsOf, bundle: { name: zipName, bytes: zipBytes, sha256: zipSha256, manifestSha256: sha256Hex(manifestJson) } };
    await recordFinish(exportId, files.reduce((n, f) => n + f.rows, 0), zipSha256, record);

    const reader = fs.createReadStream(zipPath, { highWaterMark: 256 * 1024 });
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of reader) yield chunk as Buffer;
      } finally {
        reader.destroy();
        cleanup();
      }
    }
    const rowEstimate = files.reduce((n, f) => n + f.rows, 0);
    const close = async () => {
      reader.destroy();
      cleanup();
    };
    return { filename: zipName, contentType: CONTENT_TYPES.zip, contentLength: zipBytes, sha256: zipSha256, rowEstimate, exportId, body: body(), close };
  } catch (e) {
    cleanup();
    throw e;
  }
}
