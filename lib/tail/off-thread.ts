import { Worker } from "node:worker_threads";
import { packEmbeddings, computeTailScores, type TailInput, type TailMethod } from "./compute";
import type { TailJob, TailReply } from "./tail-worker";

/**
 * computeTailScores with the heavy part (text and embedding rarity: vectors, k-means, neighbour search) on a
 * worker thread, so a large routing run never stalls the web process's event loop: pages, the rating hot path
 * and /api/health keep answering while 100k items are scored. Same function, same seed, same scores as the
 * in-thread version (tested). `provided` and `group` are linear and stay here.
 * The worker is bundled by Next (Turbopack follows `new Worker(new URL(…))`); run from TypeScript sources (tests,
 * scripts under tsx) it is started with tsx's loader.
 */
export async function computeTailScoresOffThread(method: TailMethod, rows: readonly TailInput[], seed = 1): Promise<{ scores: (number | null)[]; threadId: number | null }> {
  if (method === "provided" || method === "group") return { scores: computeTailScores(method, rows, seed), threadId: null };
  if (method === "text") {
    const reply = await runJob({ kind: "text", texts: rows.map((r) => r.text), seed });
    return { scores: Array.from(reply.scores), threadId: reply.threadId };
  }
  const packed = packEmbeddings(rows);
  const out: (number | null)[] = rows.map(() => null);
  if (!packed) return { scores: out, threadId: null };
  const reply = await runJob({ kind: "vectors", data: packed.data, n: packed.idx.length, dim: packed.dim, seed });
  packed.idx.forEach((i, p) => (out[i] = reply.scores[p]!));
  return { scores: out, threadId: reply.threadId };
}

// Inside a Next server the module is bundled (import.meta.url still names the .ts source there, so it cannot tell).
const fromSource = !process.env.NEXT_RUNTIME;

function startWorker(): Worker {
  // Bundled: Next compiles the worker entry to JavaScript. From sources: register tsx's loader inside the thread
  // first (execArgv loaders do not reach worker threads), then load the TypeScript entry.
  if (!fromSource) return new Worker(new URL("./tail-worker.ts", import.meta.url));
  const entry = new URL("./tail-worker.ts", import.meta.url).href;
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

function runJob(job: TailJob): Promise<Extract<TailReply, { ok: true }>> {
  return new Promise((resolve, reject) => {
    const worker = startWorker();
    let settled = false;
    const done = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.once("message", (reply: TailReply) => done(() => (reply.ok ? resolve(reply) : reject(new Error(`tail scoring failed: ${reply.error}`)))));
    worker.once("error", (e) => done(() => reject(e)));
    worker.once("exit", (code) => done(() => reject(new Error(`tail scoring thread exited (code ${code}) before answering`))));
    worker.postMessage(job, job.kind === "vectors" ? [job.data.buffer as ArrayBuffer] : []);
  });
}
