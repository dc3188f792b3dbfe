import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { stringify } from "csv-stringify/sync";
import { ParquetWriter, fileWriter } from "hyparquet-writer";
import type { SchemaElement } from "hyparquet";
import { copyCsvChunks } from "./copy-csv";
import { csvCell } from "./csv-safe";
import type { Column, ColumnType, ExportContext, ExportFormat, ExportKind, Row } from "./types";

export type ExportStats = { rows: number; bytes: number; sha256: string | null; /** Known up front for parquet (written to a file first). */ totalBytes?: number };

export const CONTENT_TYPES: Record<ExportFormat | "zip", string> = {
  csv: "text/csv; charset=utf-8",
  jsonl: "application/x-ndjson; charset=utf-8",
  parquet: "application/vnd.apache.parquet",
  zip: "application/zip",
};

// Data files carry no timestamps of their own making and rows come in id order, so the same data always gives
// the same bytes and the same sha256 (the manifest's time sits outside the hashed files).

function csvBatch(rows: Row[]): string {
  // Quote a lone CR too (as PostgreSQL's COPY does): readers differ on a bare CR inside an unquoted field.
  return stringify(rows.map((r) => r.map(csvCell)), { eof: true, record_delimiter: "\n", quoted_match: /\r/ });
}

function jsonValue(v: Row[number]): unknown {
  return v instanceof Date ? v.toISOString() : v;
}

function jsonlBatch(columns: readonly Column[], rows: Row[]): string {
  let out = "";
  for (const r of rows) {
    const o: Record<string, unknown> = {};
    for (let j = 0; j < columns.length; j++) o[columns[j]!.name] = jsonValue(r[j] ?? null);
    out += `${JSON.stringify(o)}\n`;
  }
  return out;
}

const PARQUET_TYPE: Record<ColumnType, Omit<SchemaElement, "name">> = {
  string: { type: "BYTE_ARRAY", converted_type: "UTF8" },
  json: { type: "BYTE_ARRAY", converted_type: "JSON" },
  double: { type: "DOUBLE" },
  int32: { type: "INT32" },
  int64: { type: "INT64" },
  boolean: { type: "BOOLEAN" },
  timestamp: { type: "INT64", converted_type: "TIMESTAMP_MILLIS" },
};

export function parquetSchema(columns: readonly Column[]): SchemaElement[] {
  return [{ name: "root", num_children: columns.length }, ...columns.map((c) => ({ name: c.name, ...PARQUET_TYPE[c.type], repetition_type: "OPTIONAL" as const }))];
}

function parquetValue(type: ColumnType, v: Row[number]): unknown {
  if (v === null || v === undefined) return null;
  if (type === "int64") return BigInt(v as number);
  return v;
}

/**
 * Parquet needs a seekable footer, so it is written to a file: one row group per batch (~10k rows), flushed to
 * disk as it goes, so memory stays at one batch whatever the row count.
 */
export async function writeParquetFile(kind: ExportKind, ctx: ExportContext, file: string): Promise<number> {
  const writer = new ParquetWriter({ writer: fileWriter(file), schema: parquetSchema(kind.columns), createdBy: "margin" });
  let rows = 0;
  for await (const batch of kind.batches(ctx)) {
    const columnData = kind.columns.map((c, j) => ({ name: c.name, data: batch.map((r) => parquetValue(c.type, r[j] ?? null)) }));
    await writer.write({ columnData, rowGroupSize: batch.length });
    rows += batch.length;
  }
  await writer.finish();
  return rows;
}

async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}

export function tempPath(ext: string): string {
  return path.join(os.tmpdir(), `margin-export-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.${ext}`);
}

/**
 * The bytes of one export as they are produced, counting rows and hashing on the way; `stats.sha256` is set when
 * the generator completes. Stopping early (client gone) just stops reading pages: nothing stays open.
 */
export async function* exportChunks(kind: ExportKind, format: ExportFormat, ctx: ExportContext, stats: ExportStats): AsyncGenerator<Uint8Array> {
  const hash = createHash("sha256");
  const emit = (chunk: Uint8Array) => {
    hash.update(chunk);
    stats.bytes += chunk.byteLength;
    return chunk;
  };
  if (format === "parquet") {
    const file = tempPath("parquet");
    try {
      stats.rows = await writeParquetFile(kind, ctx, file);
      stats.totalBytes = fs.statSync(file).size;
      for await (const chunk of fileChunks(file)) yield emit(chunk);
    } finally {
      fs.rmSync(file, { force: true });
    }
  } else if (format === "csv" && kind.csvCopy && ctx.pgUrl) {
    yield emit(Buffer.from(csvBatch([kind.columns.map((c) => c.name)])));
    for await (const chunk of copyCsvChunks(ctx.pgUrl, kind.csvCopy(ctx), stats)) yield emit(chunk);
  } else {
    if (format === "csv") yield emit(Buffer.from(csvBatch([kind.columns.map((c) => c.name)])));
    for await (const batch of kind.batches(ctx)) {
      stats.rows += batch.length;
      yield emit(Buffer.from(format === "csv" ? csvBatch(batch) : jsonlBatch(kind.columns, batch)));
    }
  }
  stats.sha256 = hash.digest("hex");
}

/** Write one export to a file (bundles); returns rows, bytes and sha256. */
export async function writeExportFile(kind: ExportKind, format: ExportFormat, ctx: ExportContext, file: string): Promise<ExportStats> {
  const stats: ExportStats = { rows: 0, bytes: 0, sha256: null };
  const out = fs.createWriteStream(file);
  try {
    for await (const chunk of exportChunks(kind, format, ctx, stats)) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
    }
  } finally {
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  return stats;
}
