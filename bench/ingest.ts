// npm run bench -- ingest [--items 1000000] [--batch 1000]
// Streams generated JSONL (~500 bytes a row) through the real import path (parse, validate, batched upsert in one
// transaction) and, in the same run, COPYs the same rows into a bare table with no indexes: the physical limit.
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

async function* jsonl(n: number, seed: number): AsyncGenerator<Uint8Array> {
  const rand = mulberry32(seed);
  let buf = "";
  for (let i = 0; i < n; i++) {
    buf += `${JSON.stringify(row(i, rand))}\n`;
    if (buf.length > 256 * 1024) {
      yield Buffer.from(buf);
      buf = "";
    }
  }
  if (buf) yield Buffer.from(buf);
}

// COPY text format: tab-separated, \N for null, backslash escapes.
const esc = (s: string) => s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");

export default async function ingest(flags: Record<string, string>) {
  const n = num(flags, "items", 1_000_000);
  const batch = num(flags, "batch", 5000);
  const db = await freshDatabase(4);
  try {
    const [u] = await db.db.insert(users).values({ email: "bench@x", name: "bench", role: "researcher" }).returning();
    const [c] = await db.db.insert(campaigns).values({ slug: "bench", name: "bench", rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 }, stratificationKey: "language", ownerId: u!.id }).returning();
    let bytes = 0;
    for await (const chunk of jsonl(Math.min(n, 10_000), 1)) bytes += chunk.byteLength;
    log(`rows ≈ ${Math.round(bytes / Math.min(n, 10_000))} bytes each; importing ${n.toLocaleString("en")}`);

    // The machine is shared, so the reference COPY runs before and after the import and the two are averaged.
    const copy1 = await copyRun(db.url, n, "bare1");
    log(`COPY (before): ${copy1.toFixed(1)} s`);
    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const t = performance.now();
    const summary = await importItems(db.db, c!, jsonl(n, 1), { format: "jsonl", actorId: u!.id, maxBytes: 4 * 2 ** 30, batchSize: batch });
    const importS = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // This process's CPU during the import (generating the file, parsing, validating, formatting COPY rows).
    const importCpuS = Math.round((cpu.user + cpu.system) / 100_000) / 10;
    const peak = rss.stop();
    const [{ count }] = (await db.db.$count(items, eq(items.campaignId, c!.id)).then((count) => [{ count }])) as [{ count: number }];
    log(`import: ${summary.rowsNew} new, ${summary.rowsRejected} rejected, ${count} stored, ${importS.toFixed(1)} s, peak RSS ${peak} MB`);

    const copy2 = await copyRun(db.url, n, "bare2");
    log(`COPY (after): ${copy2.toFixed(1)} s`);
    const copyS = (copy1 + copy2) / 2;
    const rowsPerS = Math.round(n / importS);
    const copyPerS = Math.round(n / copyS);
    return { rows: n, rows_per_s: rowsPerS, copy_rows_per_s: copyPerS, ratio: Math.round((rowsPerS / copyPerS) * 100) / 100, peak_rss_mb: peak, import_s: Math.round(importS * 10) / 10, import_node_cpu_s: importCpuS, copy_s: Math.round(copyS * 10) / 10, copy_before_rows_per_s: Math.round(n / copy1), copy_after_rows_per_s: Math.round(n / copy2), batch };
  } finally {
    await db.drop();
  }
}

/** postgres.js COPY … FROM STDIN of the same generated rows into a bare table with no indexes; seconds. */
async function copyRun(url: string, n: number, table: string): Promise<number> {
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  await raw.unsafe(`create table ${table} (external_id text, input text, output text, model text, metadata jsonb, judge_score jsonb, judge_confidence float8, judge_rationale text)`);
  const t = performance.now();
  const writable = await raw.unsafe(`copy ${table} from stdin`).writable();
  const rand = mulberry32(1);
  await new Promise<void>((resolve, reject) => {
    writable.on("error", reject);
    writable.on("finish", resolve);
    let i = 0;
    const pump = () => {
      let ok = true;
      while (i < n && ok) {
        let chunk = "";
        for (let j = 0; j < 1000 && i < n; j++, i++) {
          const r = row(i, rand);
          chunk += [r.external_id, r.input, r.output, r.model, JSON.stringify({ language: r.language }), String(r.judge_score), String(r.judge_confidence), r.judge_rationale].map(esc).join("\t") + "\n";
        }
        ok = writable.write(chunk);
      }
      if (i < n) writable.once("drain", pump);
      else writable.end();
    };
    pump();
  });
  const s = (performance.now() - t) / 1000;
  await raw.unsafe(`drop table ${table}`);
  await raw.end();
  return s;
}
