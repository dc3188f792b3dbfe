// npm run bench -- tail [--items 100000] [--dims 384] [--embedded]
// Tail scoring + routing of N items end to end (load from PostgreSQL, score, route, write back in one transaction),
// once by text rarity (hashed character n-grams) and once by embedding rarity (dims-dimension vectors).
// --embedded: on PGlite (no DATABASE_URL needed), an embedding routing run as the app runs it there (a job in the
// app process, sliced, its state in job_states), with the event loop's delay p99/max during it; beside it, the same
// run unsliced in the same process as the same-run reference.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openMigratedDb } from "@/db/migrate";
import type { Db } from "@/db";
import { enqueue, settleLocalJobs } from "@/lib/jobs/queue";
import { readJobState } from "@/lib/jobs/state";
import { routingJob } from "@/lib/routing/schedule";
import { eq } from "drizzle-orm";
import { demoLanguages } from "@/db/demo-data";
import { upsertItems } from "@/db/queries/ingest";
import { campaigns, users } from "@/db/schema";
import type { ItemRow } from "@/lib/ingest/row";
import { mulberry32, normal } from "@/lib/random";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { runRouting } from "@/lib/routing/run-routing";
import { computeTailScores } from "@/lib/tail/compute";
import { freshDatabase, log, num, rssSampler } from "./lib";

// The embedded mode needs no server (bench/run.ts reads this before calling the bench).
export const needsDatabase = !process.argv.includes("--embedded");

export default async function tail(flags: Record<string, string>) {
  if (flags.embedded) return embedded(flags);
  const n = num(flags, "items", 100_000);
  const dims = num(flags, "dims", 384);
  const db = await freshDatabase(4);
  try {
    const { u, c, centres, rand } = await fill(db.db, n, dims);
    // Log when each phase starts, to see load / score / write separately.
    const phases = () => {
      let last = "";
      const t0 = performance.now();
      return (p: { phase: string }) => {
        if (p.phase !== last) log(`  ${p.phase} at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        last = p.phase;
      };
    };
    const rss = rssSampler();
    // How long the event loop stalls during a routing run (scoring is on a worker thread; loading and writing
    // are async I/O): what a page or /api/health request would wait behind it in the web process.
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    let t = performance.now();
    const textRun = await runRouting(db.db, c!.id, { actorId: u!.id, seed: "bench", onProgress: phases() });
    const textS = (performance.now() - t) / 1000;
    log(`text rarity: ${textS.toFixed(1)} s end to end, ${textRun.itemsRouted} routed`);
    await db.db.update(campaigns).set({ tailMethod: "embedding" }).where(eq(campaigns.id, c!.id));
    t = performance.now();
    const embRun = await runRouting(db.db, c!.id, { actorId: u!.id, seed: "bench", onProgress: phases() });
    const embS = (performance.now() - t) / 1000;
    log(`embedding rarity: ${embS.toFixed(1)} s end to end, ${embRun.itemsRouted} routed`);
    const peak = rss.stop();
    lag.disable();
    const maxLagMs = Math.round(lag.max / 1e6);

    // Scoring alone (no database), for the split between I/O and compute.
    const texts = Array.from({ length: n }, (_, i) => `${demoLanguages[i % 12]!.prompts[0]} ${i}`);
    t = performance.now();
    computeTailScores("text", texts.map((text) => ({ group: null, provided: null, text, embedding: null })));
    const textComputeS = (performance.now() - t) / 1000;
    const vecs = Array.from({ length: n }, (_, i) => centres[i % 50]!.map((x) => x + 0.3 * normal(rand)));
    t = performance.now();
    computeTailScores("embedding", vecs.map((embedding) => ({ group: null, provided: null, text: "", embedding })));
    const embComputeS = (performance.now() - t) / 1000;
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return { items: n, text_s: r1(textS), embedding_s: r1(embS), dims, text_compute_s: r1(textComputeS), embedding_compute_s: r1(embComputeS), event_loop_max_lag_ms: maxLagMs, peak_rss_mb: peak };
  } finally {
    await db.drop();
  }
}

/** A campaign of n items with text and dims-dimension embeddings around 50 Zipf-sized topics. */
async function fill(db: Db, n: number, dims: number, slug = "tail") {
  const [u] = await db.insert(users).values({ email: `${slug}@bench.x`, name: "bench", role: "researcher" }).returning();
  const [c] = await db.insert(campaigns).values({ slug, name: slug, rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 }, tailMethod: "text", ownerId: u!.id }).returning();
  const rand = mulberry32(42);
  // Zipf-like languages (as in the demo) and 50 embedding "topics" with Zipf-like sizes.
  const langW = demoLanguages.map((_, r) => 1 / (r + 1) ** 1.1);
  const topicW = Array.from({ length: 50 }, (_, r) => 1 / (r + 1));
  const pick = (w: number[]) => {
    let x = rand() * w.reduce((a, b) => a + b, 0);
    for (let i = 0; i < w.length; i++) if ((x -= w[i]!) <= 0) return i;
    return w.length - 1;
  };
  const centres = Array.from({ length: 50 }, () => Array.from({ length: dims }, () => normal(rand)));
  log(`inserting ${n.toLocaleString("en")} items with text and ${dims}-d embeddings`);
  for (let s = 0; s < n; s += 1000) {
    const batch: ItemRow[] = [];
    for (let i = s; i < Math.min(n, s + 1000); i++) {
      const lang = demoLanguages[pick(langW)]!;
      const topic = centres[pick(topicW)]!;
      batch.push({
        external_id: `t-${i}`,
        input: `${lang.prompts[i % lang.prompts.length]} (${i})`,
        output: lang.answers.map((a, j) => lang.answers[(i + j) % lang.answers.length] ?? a).join(" "),
        metadata: { language: lang.code },
        judge_confidence: Math.round(rand() * 1000) / 1000,
        embedding: topic.map((x) => Math.round((x + 0.3 * normal(rand)) * 1e4) / 1e4),
      });
    }
    await upsertItems(db, c!.id, batch);
  }
  return { u, c, centres, rand };
}

/**
 * An embedding routing run on PGlite, twice: as the app runs it (enqueue → a job in this process, sliced, progress
 * in job_states) and unsliced (the reference: what the app did before, and what a worker does on PostgreSQL). The
 * event loop's delay is sampled every 5 ms during each: its p99 is what a page request waits behind the run.
 */
async function embedded(flags: Record<string, string>) {
  const n = num(flags, "items", 100_000);
  const dims = num(flags, "dims", 384);
  delete process.env.DATABASE_URL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-bench-tail-"));
  const handle = await openMigratedDb({ dataDir: dir });
  try {
    const db = handle.db;
    // Two identical campaigns, so that both runs are a first routing (a re-route writes much less).
    const { u, c } = await fill(db, n, dims);
    const { c: ref } = await fill(db, n, dims, "ref");
    const { c: warm } = await fill(db, 200, dims, "warm");
    const { c: warmJob } = await fill(db, 200, dims, "warm-job");
    await db.update(campaigns).set({ tailMethod: "embedding" });
    // A small routing first down each path, so that neither measured run pays the process's first-time costs (JIT,
    // module loading, PGlite's catalogue caches, the first scoring thread).
    await runRouting(db, warm!.id, { actorId: u!.id });
    await enqueue(db, routingJob, { campaignId: warmJob!.id, actorId: u!.id });
    await settleLocalJobs();
    const measure = async (label: string, run: () => Promise<void>) => {
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      const t = performance.now();
      await run();
      const seconds = (performance.now() - t) / 1000;
      lag.disable();
      const ms = (x: number) => Math.round(x / 1e5) / 10;
      log(`${label}: ${seconds.toFixed(1)} s, event loop delay p50 ${ms(lag.percentile(50))} ms, p99 ${ms(lag.percentile(99))} ms, max ${ms(lag.max)} ms`);
      return { s: Math.round(seconds * 10) / 10, p99: ms(lag.percentile(99)), max: ms(lag.max) };
    };
    const runSliced = () => measure("embedded, sliced job", async () => {
      await enqueue(db, routingJob, { campaignId: c!.id, actorId: u!.id });
      await settleLocalJobs();
      const state = await readJobState(db, routingJob.kind, c!.id);
      if (state?.state !== "finished") throw new Error(`the routing job did not finish: ${JSON.stringify(state)}`);
    });
    const runWhole = () => measure("embedded, unsliced (reference)", async () => {
      await runRouting(db, ref!.id, { actorId: u!.id });
    });
    // --reference-first: the unsliced run first (to see whether the order, not the slicing, makes a difference).
    const refFirst = Boolean(flags["reference-first"]);
    const whole = refFirst ? await runWhole() : null;
    const sliced = await runSliced();
    const reference = whole ?? (await runWhole());
    return {
      items: n,
      dims,
      embedding_s: sliced.s,
      event_loop_p99_ms: sliced.p99,
      event_loop_max_ms: sliced.max,
      reference_unsliced_embedding_s: reference.s,
      reference_unsliced_event_loop_p99_ms: reference.p99,
      reference_unsliced_event_loop_max_ms: reference.max,
      reference_ran_first: refFirst,
      target_p99_ms: 50,
    };
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
