// npm run bench -- ingest [--items 1000000] [--batch 1000]
// Generates a JSONL file (~500 bytes a row) and the same rows as a COPY file, then streams the JSONL file through the
// real import path (parse, validate, batched writes in one transaction) and, in the same run, the COPY file into a
// bare table with no indexes: the physical limit. Generating the files is not timed (an upload exists before it is
// imported); reading them is, in both runs.
import fs from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { eq } from "drizzle-orm";
import { campaigns, items, users } from "@/db/schema";
import { importItems } from "@/lib/ingest/import-items";
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
 * JSONL for the import, and the same rows in COPY text format for the reference. Returns their paths and size.
 */
async function writeFiles(dir: string, n: number, seed: number) {
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
      c += [r.external_id, r.input, r.output, r.model, JSON.stringify({ language: r.language }), String(r.judge_score), String(r.judge_confidence), r.judge_rationale].map(esc).join("\t") + "\n";
    }
    await Promise.all([write(jsonlOut, j), write(copyOut, c)]);
  }
  await Promise.all([new Promise((r) => jsonlOut.end(r)), new Promise((r) => copyOut.end(r))]);
  return { jsonlPath, copyPath, bytes: fs.statSync(jsonlPath).size };
}

// COPY text format: tab-separated, \N for null, backslash escapes.
const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");

export default async function ingest(flags: Record<string, string>) {
  const n = num(flags, "items", 1_000_000);
  const batch = num(flags, "batch", 5000);
  const db = await freshDatabase(4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-ingest-"));
  try {
    const [u] = await db.db.insert(users).values({ email: "bench@x", name: "bench", role: "researcher" }).returning();
    const [c] = await db.db.insert(campaigns).values({ slug: "bench", name: "bench", rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 }, stratificationKey: "language", ownerId: u!.id }).returning();
    const files = await writeFiles(dir, n, 1);
    log(`wrote ${n.toLocaleString("en")} rows, ≈ ${Math.round(files.bytes / n)} bytes each (${(files.bytes / 2 ** 20).toFixed(0)} MB of JSONL)`);

    // The machine is shared, so the reference COPY runs before and after the import and the two are averaged.
    const copy1 = await copyRun(db.url, files.copyPath, "bare1");
    log(`COPY (before): ${copy1.toFixed(1)} s`);
    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const summary = await importItems(db.db, c!, fs.createReadStream(files.jsonlPath, { highWaterMark: 256 * 1024 }), { format: "jsonl", actorId: u!.id, maxBytes: 4 * 2 ** 30, batchSize: batch });
    const importS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // This process's CPU during the import (reading the file, parsing, validating, formatting COPY rows).
    const importCpuS = Math.round((cpu.user + cpu.system) / 100_000) / 10;
    const peak = rss.stop();
    const [{ count }] = (await db.db.$count(items, eq(items.campaignId, c!.id)).then((count) => [{ count }])) as [{ count: number }];
    log(`import: ${summary.rowsNew} new, ${summary.rowsRejected} rejected, ${count} stored, ${importS.toFixed(1)} s, peak RSS ${peak} MB`);

    const copy2 = await copyRun(db.url, files.copyPath, "bare2");
    log(`COPY (after): ${copy2.toFixed(1)} s`);
    const copyS = (copy1 + copy2) / 2;
    const rowsPerS = Math.round(n / importS);
    const copyPerS = Math.round(n / copyS);
    return { rows: n, rows_per_s: rowsPerS, copy_rows_per_s: copyPerS, ratio: Math.round((rowsPerS / copyPerS) * 100) / 100, peak_rss_mb: peak, import_s: Math.round(importS * 10) / 10, import_node_cpu_s: importCpuS, copy_s: Math.round(copyS * 10) / 10, copy_before_rows_per_s: Math.round(n / copy1), copy_after_rows_per_s: Math.round(n / copy2), batch };
  } finally {
    try {
      await db.drop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The rows' COPY file streamed through postgres.js COPY … FROM STDIN into a bare table with no indexes; seconds. */
async function copyRun(url: string, copyPath: string, table: string): Promise<number> {
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  await raw.unsafe(`create table ${table} (external_id text, input text, output text, model text, metadata jsonb, judge_score jsonb, judge_confidence float8, judge_rationale text)`);
  const t = performance.now();
  const writable = await raw.unsafe(`copy ${table} from stdin`).writable();
  await pipeline(fs.createReadStream(copyPath, { highWaterMark: 256 * 1024 }), writable);
  const s = (performance.now() - t) / 1000;
  await raw.unsafe(`drop table ${table}`);
  await raw.end();
  return s;
}
