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
 * quote byte tracks the state exactly). Returns the new in-quote state.
 */
export function countCsvRecords(chunk: Uint8Array, inQuote: boolean, counter: { rows: number }): boolean {
  let q = inQuote;
  let n = 0;
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i];
    if (b === 34) q = !q;
    else if (b === 10 && !q) n++;
  }
  counter.rows += n;
  return q;
}

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
    try {
      for await (const chunk of stream) {
        inQuote = countCsvRecords(chunk as Uint8Array, inQuote, counter);
        yield chunk as Uint8Array;
      }
    } finally {
      stream.destroy();
    }
    finished = true;
  } finally {
    await sql.end({ timeout: finished ? 5 : 0 });
  }
}
