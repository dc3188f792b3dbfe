import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { postgresClientOf } from "@/db/client";
import { newIdFilter, prepareCopy, tryLockCampaignImports, upsertImportedRatings, writeItems, type PreparedBatch } from "@/db/queries/ingest";
import { imports, type Campaign, type ImportRowError } from "@/db/schema";
import { allowLongStatements } from "@/db/timeouts";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { guardStream, maxUploadBytes, type ImportFormat } from "./formats";
import { parseRecords } from "./parse";
import { validateRow, type ItemRow, type RatingRow } from "./row";
import { Staging } from "./staging";

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
  /**
   * succeeded: every row imported; partial: some rows rejected, the rest imported; failed: nothing imported (every
   * row rejected, or all-or-nothing with a bad row); empty: the file had no rows (lib/ingest/status.ts).
   */
  status: "succeeded" | "partial" | "failed" | "empty";
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
  /** Rows replaced by a later row of the file with the same external_id (the last row wins; nothing of theirs is written). */
  rowsReplaced: number;
  /** One line per replaced row (up to 10,000), sorted by line. */
  warnings: ImportRowError[];
  errors: ImportRowError[];
  errorsTruncated: boolean;
};

const MAX_STORED_ERRORS = 10_000;

/**
 * One staged batch (validated items, at most one per external_id, their lines in the file and their prior ratings)
 * as byte strings: [{ids, lines, ratings} JSON, items JSON] and, on PostgreSQL, the items' COPY text, rendered here
 * so that the write phase hands it to the server as it is and decodes the items only for ids that already exist.
 */
function stageBatch(campaignId: string, items: ItemRow[], lines: number[], ratings: RatingRow[], copy: boolean): Buffer[] {
  const head = Buffer.from(JSON.stringify({ ids: items.map((r) => r.external_id), lines, ratings }), "utf-8");
  const rows = Buffer.from(JSON.stringify(items), "utf-8");
  return copy ? [head, rows, Buffer.from(prepareCopy(campaignId, items), "utf-8")] : [head, rows];
}

/**
 * A staged batch, without its rows that a later batch's row with the same id replaces (`last`: each id's last line
 * in the file), and their ratings. Linear in the batch.
 */
function readBatch(parts: Buffer[], last: Map<string, number>): { batch: PreparedBatch | ItemRow[]; ratings: RatingRow[] } {
  const head = JSON.parse(parts[0]!.toString("utf-8")) as { ids: string[]; lines: number[]; ratings: RatingRow[] };
  const keep = head.ids.map((id, i) => last.get(id) === head.lines[i]);
  const decode = () => JSON.parse(parts[1]!.toString("utf-8")) as ItemRow[];
  if (keep.every(Boolean)) return { batch: parts[2] ? { ids: head.ids, copy: parts[2], rows: decode } : decode(), ratings: head.ratings };
  // A batch holds one row per id, so an id's ratings in it are its row's.
  const dropped = new Set(head.ids.filter((_, i) => !keep[i]));
  const ratings = head.ratings.filter((r) => !dropped.has(r.external_id));
  const rows = () => decode().filter((_, i) => keep[i]);
  if (!parts[2]) return { batch: rows(), ratings };
  // COPY text has one line per row (newlines inside values are escaped).
  const copy = Buffer.from(parts[2].toString("utf-8").split("\n").flatMap((l, i) => (keep[i] ? [`${l}\n`] : [])).join(""), "utf-8");
  return { batch: { ids: head.ids.filter((_, i) => keep[i]), copy, rows }, ratings };
}

const BUSY = "Another import (or a routing run) of this campaign is writing right now. Try again in a moment; nothing was imported.";

/**
 * Import a file into a campaign, in two phases so that nothing is held while the upload arrives:
 *
 * 1. Receive: the upload is read at the client's pace under the size limit, parsed and validated one row at a time,
 *    and the good rows go to a staging file on local disk (lib/ingest/staging.ts), in batches (an id repeated within
 *    the file is resolved once: the last row wins, the replaced rows are reported). No transaction is open and no
 *    lock held; memory holds one batch however large the file. A file that turns out to be too large or not text
 *    ends here, and so does an all-or-nothing file with a bad row (its failed import is recorded; no item written).
 * 2. Write: one bounded transaction takes the campaign's import lock without waiting (409 when another import or
 *    a routing run holds it) and writes the staged batches at the disk's pace, then the import record and audit
 *    events. It fails whole or commits whole.
 *
 * Rejected rows are listed with their line number and reason in the import record, whose counts are exact. The
 * staging file is deleted afterwards, whatever happened.
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

  // Busy now: say so before receiving a byte (the write phase checks again, as the lock is only held there).
  await db.transaction(async (tx) => {
    if (!(await tryLockCampaignImports(tx, campaign.id))) throw new AppError("conflict", BUSY);
  });

  // PostgreSQL takes new rows by COPY, whose text is rendered while staging (db/queries/ingest.ts writeItems).
  const copyPath = postgresClientOf(db) !== null;
  const staging = await Staging.create();
  try {
    // Phase 1: receive, parse, validate, stage.
    let batch: ItemRow[] = [];
    let ratings: RatingRow[][] = [];
    let lines: number[] = [];
    // Position in the batch of each id: a repeated id replaces its earlier row (the last row wins) instead of
    // starting a new batch, so a file that repeats ids costs what its size does.
    let ids = new Map<string, number>();
    // The line of each id's last good row in the whole file: a row an id repeated in a later batch replaces is
    // dropped when its batch is written (readBatch), so the file's last row is written once, as if it were alone.
    const last = new Map<string, number>();
    // One batch written to disk while the next is parsed.
    let pending: Promise<void> = Promise.resolve();
    const stage = async () => {
      if (batch.length === 0) return;
      const staged = stageBatch(campaign.id, batch, lines, ratings.flat(), copyPath);
      batch = [];
      ratings = [];
      lines = [];
      ids = new Map();
      await pending;
      pending = staging.append(staged);
      pending.catch(() => {}); // surfaced by the next `await pending`
    };
    const stream = guardStream(received(body), opts.maxBytes ?? maxUploadBytes());
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
        const earlier = last.get(row.item.external_id);
        last.set(row.item.external_id, parsed.line);
        if (earlier !== undefined) {
          // Same id again in the file: the later row replaces the earlier one, which is reported.
          rowsReplaced++;
          if (warnings.length < MAX_STORED_ERRORS) warnings.push({ line: earlier, externalId: row.item.external_id, reason: `Replaced by line ${parsed.line}, which has the same external_id (the last row wins)` });
        }
        if (opts.allOrNothing && rowsRejected > 0) continue; // keep reading to report every bad row, write nothing
        const at = ids.get(row.item.external_id);
        if (at !== undefined) {
          // Same id again in this batch: replaced in place (an earlier batch's row is dropped when written).
          batch[at] = row.item;
          ratings[at] = row.ratings;
          lines[at] = parsed.line;
          continue;
        }
        ids.set(row.item.external_id, batch.length);
        batch.push(row.item);
        ratings.push(row.ratings);
        lines.push(parsed.line);
        if (batch.length >= batchSize) await stage();
      }
    } finally {
      await pending.catch(() => {});
    }
    // The CSV parser reports unreadable rows slightly out of order (it reads ahead); the report is by line.
    errors.sort((a, b) => a.line - b.line);
    warnings.sort((a, b) => a.line - b.line);
    const errorsTruncated = () => rowsRejected > errors.length;

    if ((opts.allOrNothing && rowsRejected > 0) || rowsRejected === rowsTotal) {
      // Nothing to write: all-or-nothing with bad rows, every row rejected (failed), or no rows at all (empty). No
      // item is written; the import is still recorded, for its report and the import history.
      const status = rowsTotal === 0 ? "empty" : "failed";
      const [rec] = await db
        .insert(imports)
        .values({ ...base, status, rowsTotal, rowsNew: 0, rowsUpdated: 0, rowsRejected, errors, finishedAt: new Date() })
        .returning({ id: imports.id });
      return { importId: rec!.id, status, rowsTotal, rowsNew: 0, rowsUpdated: 0, rowsRejected, rowsUnchanged: 0, itemsVersioned: 0, ratingsWritten: 0, rowsReplaced, warnings, errors, errorsTruncated: errorsTruncated() };
    }
    const status = rowsRejected > 0 ? "partial" : "succeeded";
    await stage();
    await pending;

    // Phase 2: one bounded transaction writes the staged batches.
    const importId = await db.transaction(async (tx) => {
      // Another import of this campaign is running: say so now rather than queue behind it holding a connection.
      if (!(await tryLockCampaignImports(tx, campaign.id))) throw new AppError("conflict", BUSY);
      await allowLongStatements(tx);
      // The ids written so far, when that lets certainly-new ids skip the existence lookup (db/queries/ingest.ts).
      const written = await newIdFilter(tx, campaign.id);
      // One write in flight while the next batch is read: Node reads and decodes while PostgreSQL writes.
      let writing: Promise<void> = Promise.resolve();
      try {
        for await (const parts of staging.read()) {
          const b = readBatch(parts, last);
          await writing;
          writing = (async () => {
            const r = await writeItems(tx, campaign.id, b.batch, written, undefined, newImportId);
            rowsNew += r.inserted;
            rowsUpdated += r.updated;
            rowsUnchanged += r.unchanged;
            versioned.push(...r.versioned);
            ratingsWritten += await upsertImportedRatings(tx, campaign.id, b.ratings, campaign.guidelinesVersion);
          })();
          writing.catch(() => {}); // surfaced by the next `await writing`
        }
        await writing;
      } catch (e) {
        // A write may be in flight (a COPY mid-stream): let it settle before the transaction rolls back.
        await writing.catch(() => {});
        throw e;
      }
      const [rec] = await tx
        .insert(imports)
        .values({ id: newImportId, ...base, status, rowsTotal, rowsNew, rowsUpdated, rowsRejected, errors, finishedAt: new Date() })
        .returning({ id: imports.id });
      if (versioned.length > 0) {
        // The content of rated items changed: say so in the record (the old versions are in item_versions).
        await recordAudit(tx, {
          actorId: opts.actorId,
          action: "items.version",
          targetType: "import",
          targetId: rec!.id,
          campaignId: campaign.id,
          ip: opts.ip,
          details: { items: versioned.length, externalIds: versioned.slice(0, 1000), truncated: versioned.length > 1000 },
        });
      }
      await recordAudit(tx, {
        actorId: opts.actorId,
        action: "items.import",
        targetType: "import",
        targetId: rec!.id,
        campaignId: campaign.id,
        ip: opts.ip,
        details: { status, format: opts.format, filename: opts.filename ?? null, rowsTotal, rowsNew, rowsUpdated, rowsUnchanged, rowsRejected, rowsReplaced, itemsVersioned: versioned.length },
      });
      return rec!.id;
    });
    return { importId, status, rowsTotal, rowsNew, rowsUpdated, rowsRejected, rowsUnchanged, itemsVersioned: versioned.length, ratingsWritten, rowsReplaced, warnings, errors, errorsTruncated: errorsTruncated() };
  } finally {
    await staging.dispose();
  }
}

/** The upload's chunks; a body that breaks off (the client went away, a proxy cut it) is a 400, not a 500. */
async function* received(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError("bad_request", "The upload was interrupted before the end of the file; nothing was imported.");
  }
}

export async function getImport(db: Db, campaignId: string, importId: string) {
  const [row] = await db.select().from(imports).where(eq(imports.id, importId));
  if (!row || row.campaignId !== campaignId) throw new AppError("not_found", "Import not found");
  return row;
}
