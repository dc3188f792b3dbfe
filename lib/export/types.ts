import type { Db } from "@/db";
import type { ReadFreshness } from "@/db/replica";
import type { Campaign } from "@/db/schema";
import type { ReportParams } from "@/lib/report/types";
import type { CopySource } from "./copy-csv";

export type ColumnType = "string" | "double" | "int32" | "int64" | "boolean" | "json" | "timestamp";
export type Column = { name: string; type: ColumnType; description: string };
export type Cell = string | number | boolean | Date | null | Record<string, unknown> | unknown[];
export type Row = Cell[];

export const EXPORT_FORMATS = ["csv", "jsonl", "parquet"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ExportContext = {
  db: Db;
  campaign: Campaign;
  /** Keys annotator pseudonyms (lib/export/pseudonym.ts). */
  secret: string;
  batchSize: number;
  /** The PostgreSQL URL behind `db`, when it is a server: enables the COPY path for CSV. Absent on PGlite. */
  pgUrl?: string;
  /** Report parameters (report and design kinds): the report's, with `run` resolved to the routing run it used; default: the defaults, latest run. */
  report?: ReportParams;
  /** Where the export reads (the replica or the primary) and how fresh that was; recorded in the manifest. */
  freshness?: ReadFreshness;
  /** When the exported data last changed (db/queries/export-as-of.ts): the report's time in an export, so it is as deterministic as the rows. */
  asOf?: Date;
};

/**
 * One kind of export: its columns and a source of row batches in a deterministic order. Sources read with keyset
 * pagination (short independent queries, no open cursor or transaction), so a client that disconnects leaves
 * nothing behind on the server and the same data always yields the same bytes.
 */
export type ExportKind = {
  name: string;
  title: string;
  columns: readonly Column[];
  count: (ctx: ExportContext) => Promise<number>;
  batches: (ctx: ExportContext) => AsyncGenerator<Row[]>;
  /** Optional fast path for CSV on PostgreSQL: the same rows, same bytes, formatted by the server (COPY). */
  csvCopy?: (ctx: ExportContext) => CopySource;
};
