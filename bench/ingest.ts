// npm run bench -- ingest [--items 1000000] [--batch 5000]
// Generates a JSONL file (~500 bytes a row) and the same rows prepared as the importer sends them (validated, then
// the COPY text of db/queries/ingest.ts), then streams the JSONL file through the real import path (parse, validate,
// batched writes in one transaction) and, in the same run, the prepared file by COPY into (a) a fresh copy of
// `items` with all its indexes, constraints, defaults, generated column and foreign keys: the schema's own limit,
// the target's reference; and (b) a bare table of the same columns without any: the physical limit, for context.
// Generating the files is not timed (an upload exists before it is imported); reading them is, in every run.
import fs from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { eq } from "drizzle-orm";
import { campaigns, items, users } from "@/db/schema";
import { importItems } from "@/lib/ingest/import-items";
import { validateRow } from "@/lib/ingest/row";
import { COPY_COLUMNS, prepareCopy } from "@/db/queries/ingest";
import type { Rubric } from "@/lib/validation/campaign";
import { mulberry32 } from "@/lib/random";
import { freshDatabase, log, num, rssSampler } from "./lib";

const WORDS = "the a model answer question helpful correct because about which people often would should could data result method value system user time first also other many some more than these only after before".split(" ");
const LANGS = ["en", "en", "en", "en", "es", "es", "de", "fr", "pt", "sw", "fo", "qu"];

function row(i: number, rand: () => number) {
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
  return {
    external_id: `item-${i}`,
    input: `${words(14)}?`,
    output: `${words(45)}.`,
    model: rand() < 0.5 ? "model-a" : "model-b",
    judge_score: 1 + Math.floor(rand() * 5),
    judge_confidence: Math.round(rand() * 1000) / 1000,
    judge_rationale: words(10),
    language: LANGS[Math.floor(rand() * LANGS.length)],
  };
}

/**
 * Write the n generated rows to two files before anything is timed (an upload exists before it is imported):
 * JSONL for the import, and the same rows as the importer prepares them (validateRow, then prepareCopy: the very
 * COPY text its write phase sends) for the references. Returns their paths and size.
 */
async function writeFiles(dir: string, n: number, seed: number, campaignId: string, rubric: Rubric, stratificationKey: string) {
  const jsonlPath = path.join(dir, "items.jsonl");
  const copyPath = path.join(dir, "items.copy");
  const jsonlOut = fs.createWriteStream(jsonlPath);
  const copyOut = fs.createWriteStream(copyPath);
  const rand = mulberry32(seed);
  const write = (out: fs.WriteStream, text: string) => (out.write(text) ? Promise.resolve() : once(out, "drain").then(() => {}));
  for (let i = 0; i < n; ) {
    let j = "", c = "";
    for (let end = Math.min(n, i + 1000); i < end; i++) {
      const r = row(i, rand);
      j += `${JSON.stringify(r)}\n`;
      const v = validateRow(r, rubric, stratificationKey, false);
      if (!v.ok) throw new Error(`generated row ${i} is invalid: ${v.reason}`);
      c += prepareCopy(campaignId, [v.item]);
    }
    await Promise.all([write(jsonlOut, j), write(copyOut, c)]);
  }
  await Promise.all([new Promise((r) => jsonlOut.end(r)), new Promise((r) => copyOut.end(r))]);
  return { jsonlPath, copyPath, bytes: fs.statSync(jsonlPath).size };
}


export default async function ingest(flags: Record<string, string>) {
  const n = num(flags, "items", 1_000_000);
  const batch = num(flags, "batch", 5000);
  const db = await freshDatabase(4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-ingest-"));
  try {
    const [u] = await db.db.insert(users).values({ email: "bench@x", name: "bench", role: "researcher" }).returning();
    const [c] = await db.db.insert(campaigns).values({ slug: "bench", name: "bench", rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 }, stratificationKey: "language", ownerId: u!.id }).returning();
    const files = await writeFiles(dir, n, 1, c!.id, c!.rubric, "language");
    log(`wrote ${n.toLocaleString("en")} rows, ≈ ${Math.round(files.bytes / n)} bytes each (${(files.bytes / 2 ** 20).toFixed(0)} MB of JSONL)`);

    // The machine is shared, so each reference COPY runs before and after the import and the two are averaged.
    const schema1 = await copyRun(db.url, files.copyPath, "items_copy1", "schema");
    log(`COPY into a copy of items (before): ${schema1.toFixed(1)} s`);
    const copy1 = await copyRun(db.url, files.copyPath, "bare1", "bare");
    log(`COPY into a bare table (before): ${copy1.toFixed(1)} s`);
    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    // The import's two phases (lib/ingest/import-items.ts): receiving (parse, validate, stage; no transaction) and
    // writing (one transaction). The write phase starts with the import's second transaction, timed here.
    let transactions = 0;
    let writeStart = Number.NaN;
    const timedDb = new Proxy(db.db, {
      get(target, prop, receiver) {
        if (prop !== "transaction") return Reflect.get(target, prop, receiver) as unknown;
        return (...args: Parameters<typeof target.transaction>) => {
          if (++transactions === 2) writeStart = performance.now();
          return target.transaction(...args);
        };
      },
    });
    const summary = await importItems(timedDb, c!, fs.createReadStream(files.jsonlPath, { highWaterMark: 256 * 1024 }), { format: "jsonl", actorId: u!.id, maxBytes: 4 * 2 ** 30, batchSize: batch });
    const importS = (performance.now() - t) / 1000;
    const receiveS = (writeStart - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // This process's CPU during the import (reading the file, parsing, validating, formatting COPY rows).
    const importCpuS = Math.round((cpu.user + cpu.system) / 100_000) / 10;
    const peak = rss.stop();
    const [{ count }] = (await db.db.$count(items, eq(items.campaignId, c!.id)).then((count) => [{ count }])) as [{ count: number }];
    log(`import: ${summary.rowsNew} new, ${summary.rowsRejected} rejected, ${count} stored, ${importS.toFixed(1)} s (receive ${receiveS.toFixed(1)} s, write ${(importS - receiveS).toFixed(1)} s), peak RSS ${peak} MB`);

    const schema2 = await copyRun(db.url, files.copyPath, "items_copy2", "schema");
    log(`COPY into a copy of items (after): ${schema2.toFixed(1)} s`);
    const copy2 = await copyRun(db.url, files.copyPath, "bare2", "bare");
    log(`COPY into a bare table (after): ${copy2.toFixed(1)} s`);
    const schemaS = (schema1 + schema2) / 2;
    const copyS = (copy1 + copy2) / 2;
    const rowsPerS = Math.round(n / importS);
    const schemaPerS = Math.round(n / schemaS);
    const copyPerS = Math.round(n / copyS);
    return {
      rows: n,
      rows_per_s: rowsPerS,
      schema_copy_rows_per_s: schemaPerS,
      ratio: Math.round((rowsPerS / schemaPerS) * 100) / 100,
      target: "import rows/s ≥ 0.8 × COPY of the same prepared rows into a copy of items (all constraints)",
      bare_copy_rows_per_s: copyPerS,
      ratio_to_bare: Math.round((rowsPerS / copyPerS) * 100) / 100,
      peak_rss_mb: peak,
      import_s: Math.round(importS * 10) / 10,
      import_node_cpu_s: importCpuS,
      import_receive_s: Math.round(receiveS * 10) / 10,
      import_write_s: Math.round((importS - receiveS) * 10) / 10,
      ratio_write_phase: Math.round((schemaS / (importS - receiveS)) * 100) / 100,
      schema_copy_s: Math.round(schemaS * 10) / 10,
      schema_copy_before_rows_per_s: Math.round(n / schema1),
      schema_copy_after_rows_per_s: Math.round(n / schema2),
      bare_copy_s: Math.round(copyS * 10) / 10,
      bare_copy_before_rows_per_s: Math.round(n / copy1),
      bare_copy_after_rows_per_s: Math.round(n / copy2),
      batch,
    };
  } finally {
    try {
      await db.drop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * The prepared rows' COPY file streamed through postgres.js COPY … FROM STDIN, in one transaction as the import
 * writes, into a new table; seconds. `schema`: a copy of items with everything the import's COPY pays for:
 * LIKE … INCLUDING ALL (defaults, the generated content hash, checks, every index) and the foreign keys, which
 * LIKE does not copy, added from items' own definitions. `bare`: the same columns and types, nothing else.
 */
async function copyRun(url: string, copyPath: string, table: string, kind: "schema" | "bare"): Promise<number> {
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  if (kind === "schema") {
    await raw.unsafe(`create table ${table} (like items including all)`);
    const fks = await raw<{ def: string }[]>`select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'items'::regclass and contype = 'f'`;
    for (const fk of fks) await raw.unsafe(`alter table ${table} add ${fk.def}`);
    const triggers = await raw<{ n: number }[]>`select count(*)::int as n from pg_trigger where tgrelid = 'items'::regclass and not tgisinternal`;
    if (triggers[0]!.n > 0) throw new Error("items has triggers of its own: copy them into the schema reference too");
  } else {
    await raw.unsafe(`create table ${table} as select ${COPY_COLUMNS.join(", ")} from items with no data`);
  }
  const t = performance.now();
  await raw.unsafe(`begin`);
  const writable = await raw.unsafe(`copy ${table} (${COPY_COLUMNS.join(", ")}) from stdin`).writable();
  await pipeline(fs.createReadStream(copyPath, { highWaterMark: 256 * 1024 }), writable);
  await raw.unsafe(`commit`);
  const s = (performance.now() - t) / 1000;
  await raw.unsafe(`drop table ${table}`);
  await raw.end();
  return s;
}
