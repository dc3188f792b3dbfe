// npm run bench -- tail [--items 100000] [--dims 384]
// Tail scoring + routing of N items end to end (load from PostgreSQL, score, route, write back in one transaction),
// once by text rarity (hashed character n-grams) and once by embedding rarity (dims-dimension vectors).
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

export default async function tail(flags: Record<string, string>) {
  const n = num(flags, "items", 100_000);
  const dims = num(flags, "dims", 384);
  const db = await freshDatabase(4);
  try {
    const [u] = await db.db.insert(users).values({ email: "bench@x", name: "bench", role: "researcher" }).returning();
    const [c] = await db.db.insert(campaigns).values({ slug: "tail", name: "tail", rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 }, tailMethod: "text", ownerId: u!.id }).returning();
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
      await upsertItems(db.db, c!.id, batch);
    }
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
