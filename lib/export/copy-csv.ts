import type { Sql } from "postgres";

// CSV straight out of PostgreSQL: `COPY (select …) TO STDOUT (FORMAT csv)` on a connection of its own. The
// server formats and quotes the rows, so Node only hashes and forwards bytes (the keyset path turns every cell
// into a JS value and back, which caps it at a few ten thousand rows/s). The select does in SQL what csvCell()
// does in JS (formula neutralisation, ISO-8601 UTC times, empty for null and ""), and csv-stringify is set to
// quote the same fields PostgreSQL quotes (delimiter, quote, CR, LF), so both paths write the same bytes for
// the same rows. Known difference: PostgreSQL writes doubles below 1e-4 in exponent form (5e-05 vs 0.00005).

/** Reads what the select needs (the campaign's raters) on the dedicated connection and returns the select. */
export type CopySource = (sql: Sql) => Promise<string>;

/**
 * Rows = newlines outside quoted fields (PostgreSQL doubles a quote inside a quoted field, so toggling on every
 * quote byte tracks the state exactly). Returns the new in-quote state. The bytes are searched with indexOf
 * (memchr) from one quote or newline to the next, not visited one by one in JS: an export is hundreds of MB.
 */
export function countCsvRecords(chunk: Uint8Array, inQuote: boolean, counter: { rows: number }): boolean {
  const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let q = inQuote;
  let n = 0;
  let i = 0;
  let quote = buf.indexOf(34, 0);
  while (i < buf.length) {
    if (q) {
      // Inside a quoted field only the next quote matters.
      if (quote === -1) break;
      q = false;
      i = quote + 1;
      quote = buf.indexOf(34, i);
      continue;
    }
    const newline = buf.indexOf(10, i);
    if (quote !== -1 && (newline === -1 || quote < newline)) {
      q = true;
      i = quote + 1;
      quote = buf.indexOf(34, i);
      continue;
    }
    if (newline === -1) break;
    n++;
    i = newline + 1;
  }
  counter.rows += n;
  return q;
}

/** Bytes gathered before a chunk is handed on (PostgreSQL sends COPY output as one message per row). */
const CHUNK_BYTES = 64 * 1024;

/**
 * The COPY output in chunks, counting records into `counter`. The connection is opened for this export only:
 * stopping early (client gone) ends it at once, and the server aborts the COPY and its implicit transaction, so
 * nothing stays open; a pool connection could not be handed back mid-COPY.
 */
export async function* copyCsvChunks(url: string, source: CopySource, counter: { rows: number }): AsyncGenerator<Uint8Array> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  let finished = false;
  try {
    const select = await source(sql);
    const stream = await sql.unsafe(`copy (${select}) to stdout with (format csv)`).readable();
    let inQuote = false;
    // The server sends one CopyData message per row, which postgres.js passes on as one chunk each: a million
    // ~200-byte chunks, each paying for a generator step, a hash update and a count. Gathered into ~64 KB chunks,
    // those costs are paid once per 300 rows (same bytes, same order).
    let parts: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of stream) {
        parts.push(chunk as Uint8Array);
        size += (chunk as Uint8Array).byteLength;
        if (size < CHUNK_BYTES) continue;
        const out = Buffer.concat(parts, size);
        parts = [];
        size = 0;
        inQuote = countCsvRecords(out, inQuote, counter);
        yield out;
      }
      if (size > 0) {
        const out = Buffer.concat(parts, size);
        inQuote = countCsvRecords(out, inQuote, counter);
        yield out;
      }
    } finally {
      stream.destroy();
    }
    finished = true;
  } finally {
    await sql.end({ timeout: finished ? 5 : 0 });
  }
}
