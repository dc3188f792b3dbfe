import { Readable } from "node:stream";
import { parse as csvParse, type CsvError } from "csv-parse";
import { AppError } from "@/lib/errors";
import type { ImportFormat } from "./formats";

/** One record of the file, or the reason it could not be read; `line` is 1-based (JSON arrays: element number). */
export type ParsedRecord = { line: number; record: Record<string, unknown> } | { line: number; error: string };

export function parseRecords(src: AsyncIterable<Uint8Array>, format: ImportFormat): AsyncGenerator<ParsedRecord> {
  if (format === "jsonl") return parseJsonl(src);
  if (format === "csv") return parseCsv(src);
  return parseJsonArray(src);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// A line longer than this (in characters) is a row error, read past without being held whole.
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

/**
 * JSON Lines, one line at a time: memory holds one chunk and one partial line (at most MAX_LINE_CHARS), whatever
 * the file size. Only each new chunk is searched for newlines, and the partial line is kept as the pieces it
 * arrived in, joined once when its newline comes: appending to one growing string would copy the whole partial
 * line at every chunk (V8 flattens the concatenation to search it), quadratic in the line's length.
 */
async function* parseJsonl(src: AsyncIterable<Uint8Array>, maxLine = MAX_LINE_CHARS): AsyncGenerator<ParsedRecord> {
  const decoder = new TextDecoder("utf-8");
  // The partial line (text after the last newline so far), in pieces, and its length.
  let pieces: string[] = [];
  let partial = 0;
  let line = 0;
  // Inside a line already reported as too long: drop text up to its newline.
  let skipping = false;
  const one = (text: string): ParsedRecord | null => {
    line++;
    const trimmed = text.replace(/\r$/, "").trim();
    if (trimmed === "") return null;
    try {
      const value: unknown = JSON.parse(trimmed);
      return isObject(value) ? { line, record: value } : { line, error: "Each line must be a JSON object" };
    } catch {
      return { line, error: "Malformed JSON" };
    }
  };
  const tooLong = (): ParsedRecord => ({ line: ++line, error: `Line longer than ${maxLine.toLocaleString("en")} characters` });
  for await (const chunk of src) {
    const text = decoder.decode(chunk, { stream: true });
    let from = 0;
    if (skipping) {
      const nl = text.indexOf("\n");
      if (nl < 0) continue;
      skipping = false;
      from = nl + 1;
    }
    let nl: number;
    while ((nl = text.indexOf("\n", from)) >= 0) {
      pieces.push(text.slice(from, nl));
      const r = one(pieces.length === 1 ? pieces[0]! : pieces.join(""));
      pieces = [];
      partial = 0;
      from = nl + 1;
      if (r) yield r;
    }
    if (from < text.length) {
      pieces.push(text.slice(from));
      partial += text.length - from;
    }
    if (partial > maxLine) {
      yield tooLong();
      pieces = [];
      partial = 0;
      skipping = true;
    }
  }
  const rest = pieces.join("") + decoder.decode();
  if (rest.length > 0 && !skipping) {
    const r = one(rest);
    if (r) yield r;
  }
}

/** For tests: the JSONL reader with a small line limit. */
export const parseJsonlForTest = (src: AsyncIterable<Uint8Array>, maxLine: number) => parseJsonl(src, maxLine);

/**
 * CSV with a header row (csv-parse, streaming). Line numbers are the file's: the header is line 1. A record the
 * parser cannot read (unbalanced quotes, wrong column count) is reported and skipped, not fatal. A record longer
 * than MAX_LINE_CHARS (its cells' characters; it may span lines inside quotes) ends the import with a 413: where it
 * ends cannot be known without reading it whole, so it cannot be read past like a JSONL line.
 */
async function* parseCsv(src: AsyncIterable<Uint8Array>, maxRecord = MAX_LINE_CHARS): AsyncGenerator<ParsedRecord> {
  const skipped: ParsedRecord[] = [];
  let tooLong: AppError | undefined;
  const parser = csvParse({
    max_record_size: maxRecord,
    columns: (header: string[]) => header.map((h) => h.trim()),
    bom: true,
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined) => {
      const lines = typeof err?.lines === "number" ? err.lines : 0;
      if (err?.code === "CSV_MAX_RECORD_SIZE") {
        // Thrown from on_skip, the error stops the parser (skipping would report every further character).
        tooLong = new AppError("too_large", `A CSV row is longer than ${maxRecord.toLocaleString("en")} characters (the limit was reached at line ${lines}); nothing was imported.`, { line: lines });
        throw tooLong;
      }
      skipped.push({ line: lines, error: `Unreadable CSV row: ${err?.message ?? "parse error"}` });
      return undefined;
    },
  });
  const input = Readable.from(src);
  input.on("error", (e) => parser.destroy(e));
  input.pipe(parser);
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      while (skipped.length) yield skipped.shift()!;
      yield { line: rec.info.lines, record: rec.record };
    }
  } catch (e) {
    if (tooLong) throw tooLong;
    if (e instanceof AppError) throw e;
    // Any other error of the parser's own (CSV_…) is the file's fault, not the server's.
    const code = (e as { code?: unknown } | null)?.code;
    if (typeof code === "string" && code.startsWith("CSV_")) throw new AppError("bad_request", `Unreadable CSV: ${(e as Error).message}; nothing was imported.`);
    throw e;
  }
  while (skipped.length) yield skipped.shift()!;
}

/** For tests: the CSV reader with a small record limit. */
export const parseCsvForTest = (src: AsyncIterable<Uint8Array>, maxRecord: number) => parseCsv(src, maxRecord);

/** A JSON array is for small batches: read whole (the upload limit still applies), then one record per element. */
async function* parseJsonArray(src: AsyncIterable<Uint8Array>): AsyncGenerator<ParsedRecord> {
  const chunks: Uint8Array[] = [];
  for await (const c of src) chunks.push(c);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf-8"));
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON; nothing was imported.");
  }
  if (!Array.isArray(value)) throw new AppError("bad_request", "A JSON import must be an array of objects; nothing was imported.");
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    yield isObject(v) ? { line: i + 1, record: v } : { line: i + 1, error: "Each element must be a JSON object" };
  }
}
