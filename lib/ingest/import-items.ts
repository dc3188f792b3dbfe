import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { newIdFilter, tryLockCampaignImports, upsertImportedRatings, writeItems } from "@/db/queries/ingest";
import { imports, type Campaign, type ImportRowError } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { guardStream, maxUploadBytes, type ImportFormat } from "./formats";
import { parseRecords } from "./parse";
import { validateRow, type ItemRow, type RatingRow } from "./row";

export type ImportOptions = {
  format: ImportFormat;
  filename?: string | null;
  allOrNothing?: boolean;
  actorId: string | null;
  apiKeyId?: string | null;
  ip?: string | null;
  maxBytes?: number;
  batchSize?: number;
};
export type ImportSummary = {
  importId: string;
  status: "succeeded" | "failed";
  rowsTotal: number;
  rowsNew: number;
  rowsUpdated: number;
  rowsRejected: number;
  /** Rows identical to the stored item (nothing written). */
  rowsUnchanged: number;
  /** Items whose content changed: each got a new version, its earlier judgments stay with the old one. */
  itemsVersioned: number;
  /** Imported ratings written (new, or changed values): prior labels the next routing run takes into the design. */
  ratingsWritten: number;
  /** Rows replaced by a later row with the same external_id in the same batch (the last row wins). */
  rowsReplaced: number;
  /** One line per replaced row (up to 10,000), sorted by line. */
  warnings: ImportRowError[];
  errors: ImportRowError[];
  errorsTruncated: boolean;
};

const MAX_STORED_ERRORS = 10_000;

/**
 * Stream a file into a campaign. Rows are parsed and validated one at a time and written in batches, so memory
 * holds one batch however large the file. The whole import is one transaction: a file that turns out to be too
 * large or not text, or (all-or-nothing mode) any bad row, leaves the items exactly as they were. Rejected rows
 * are listed with their line number and reason in the import record, whose counts are exact.
 */
export async function importItems(db: Db, campaign: Campaign, body: AsyncIterable<Uint8Array>, opts: ImportOptions): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 5000;
  const errors: ImportRowError[] = [];
  let rowsTotal = 0, rowsNew = 0, rowsUpdated = 0, rowsRejected = 0, rowsUnchanged = 0, ratingsWritten = 0, rowsReplaced = 0;
  const warnings: ImportRowError[] = [];
  const versioned: string[] = [];
  // Known before the first write, so the item versions this import supersedes can name it.
  const newImportId = randomUUID();
  const reject = (e: ImportRowError) => {
    rowsRejected++;
    if (errors.length < MAX_STORED_ERRORS) errors.push(e);
  };
  const base = { campaignId: campaign.id, userId: opts.actorId, apiKeyId: opts.apiKeyId ?? null, filename: opts.filename ?? null, format: opts.format, allOrNothing: opts.allOrNothing ? 1 : 0 };

  class AllOrNothingFailure extends Error {}
  try {
    const importId = await db.transaction(async (tx) => {
      // Another import of this campaign is running: say so now rather than queue behind it holding a connection.
      if (!(await tryLockCampaignImports(tx, campaign.id))) {
        throw new AppError("conflict", "Another import (or a routing run) of this campaign is writing right now. Try again in a moment; nothing was imported.");
      }
      // The ids written so far, when that lets certainly-new ids skip the existence lookup (db/queries/ingest.ts).
      const written = await newIdFilter(tx, campaign.id);
      let batch: ItemRow[] = [];
      let ratings: RatingRow[][] = [];
      let lines: number[] = [];
      // Position in the batch of each id: a repeated id replaces its earlier row (the last row wins) instead of
      // starting a new batch, so a file that repeats ids costs what its size does.
      let ids = new Map<string, number>();
      // One write in flight while the next batch is parsed: Node parses while PostgreSQL writes (2 cores, both busy).
      let pending: Promise<void> = Promise.resolve();
      const flush = async () => {
        if (batch.length === 0) return;
        const items = batch;
        const rs = ratings.flat();
        batch = [];
        ratings = [];
        lines = [];
        ids = new Map();
        await pending;
        pending = (async () => {
          const r = await writeItems(tx, campaign.id, items, written, undefined, newImportId);
          rowsNew += r.inserted;
          rowsUpdated += r.updated;
          rowsUnchanged += r.unchanged;
          versioned.push(...r.versioned);
          ratingsWritten += await upsertImportedRatings(tx, campaign.id, rs, campaign.guidelinesVersion);
        })();
        pending.catch(() => {}); // surfaced by the next `await pending`
      };
      const stream = guardStream(body, opts.maxBytes ?? maxUploadBytes());
      try {
        for await (const parsed of parseRecords(stream, opts.format)) {
          rowsTotal++;
          if ("error" in parsed) {
            reject({ line: parsed.line, reason: parsed.error });
            continue;
          }
          const row = validateRow(parsed.record, campaign.rubric, campaign.stratificationKey, opts.format === "csv");
          if (!row.ok) {
            reject({ line: parsed.line, reason: row.reason, ...(row.externalId ? { externalId: row.externalId } : {}) });
            continue;
          }
          if (opts.allOrNothing && rowsRejected > 0) continue; // keep reading to report every bad row, write nothing
          const at = ids.get(row.item.external_id);
          if (at !== undefined) {
            // Same id again in this batch: the later row replaces the earlier one, which is reported.
            rowsReplaced++;
            if (warnings.length < MAX_STORED_ERRORS) warnings.push({ line: lines[at]!, externalId: row.item.external_id, reason: `Replaced by line ${parsed.line}, which has the same external_id (the last row wins)` });
            batch[at] = row.item;
            ratings[at] = row.ratings;
            lines[at] = parsed.line;
            continue;
          }
          ids.set(row.item.external_id, batch.length);
          batch.push(row.item);
          ratings.push(row.ratings);
          lines.push(parsed.line);
          if (batch.length >= batchSize) await flush();
        }
      } catch (e) {
        // A write may be in flight (a COPY mid-stream): let it settle before the transaction rolls back.
        await pending.catch(() => {});
        throw e;
      }
      // The CSV parser reports unreadable rows slightly out of order (it reads ahead); the report is by line.
      errors.sort((a, b) => a.line - b.line);
      if (opts.allOrNothing && rowsRejected > 0) {
        await pending.catch(() => {});
        throw new AllOrNothingFailure();
      }
      await flush();
      await pending;
      const [rec] = await tx
        .insert(imports)
        .values({ id: newImportId, ...base, status: "succeeded", rowsTotal, rowsNew, rowsUpdated, rowsRejected, errors, finishedAt: new Date() })
        .returning({ id: imports.id });
      if (versioned.length > 0) {
        // The content of rated items changed: say so in the record (the old versions are in item_versions).
        await recordAudit(tx, {
          actorId: opts.actorId,
          action: "items.versioned",
          targetType: "import",
          targetId: rec!.id,
          campaignId: campaign.id,
          ip: opts.ip,
          details: { items: versioned.length, externalIds: versioned.slice(0, 1000), truncated: versioned.length > 1000 },
        });
      }
      await recordAudit(tx, {
        actorId: opts.actorId,
        action: "items.imported",
        targetType: "import",
        targetId: rec!.id,
        campaignId: campaign.id,
        ip: opts.ip,
        details: { format: opts.format, filename: opts.filename ?? null, rowsTotal, rowsNew, rowsUpdated, rowsUnchanged, rowsRejected, rowsReplaced, itemsVersioned: versioned.length },
      });
      return rec!.id;
    });
    return { importId, status: "succeeded", rowsTotal, rowsNew, rowsUpdated, rowsRejected, rowsUnchanged, itemsVersioned: versioned.length, ratingsWritten, rowsReplaced, warnings: warnings.sort((a, b) => a.line - b.line), errors, errorsTruncated: rowsRejected > errors.length };
  } catch (e) {
    if (!(e instanceof AllOrNothingFailure)) throw e;
    // All-or-nothing with bad rows: no item was written; the failed import is still recorded for its report.
    const [rec] = await db
      .insert(imports)
      .values({ ...base, status: "failed", rowsTotal, rowsNew: 0, rowsUpdated: 0, rowsRejected, errors, finishedAt: new Date() })
      .returning({ id: imports.id });
    return { importId: rec!.id, status: "failed", rowsTotal, rowsNew: 0, rowsUpdated: 0, rowsRejected, rowsUnchanged: 0, itemsVersioned: 0, ratingsWritten: 0, rowsReplaced, warnings: warnings.sort((a, b) => a.line - b.line), errors, errorsTruncated: rowsRejected > errors.length };
  }
}

export async function getImport(db: Db, campaignId: string, importId: string) {
  const [row] = await db.select().from(imports).where(eq(imports.id, importId));
  if (!row || row.campaignId !== campaignId) throw new AppError("not_found", "Import not found");
  return row;
}
