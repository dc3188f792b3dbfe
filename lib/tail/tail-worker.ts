// The tail-scoring thread (lib/tail/off-thread.ts starts it): one job in, its scores out, then it exits.
import { parentPort, threadId } from "node:worker_threads";
import { textRarityScores } from "./text-rarity";
import { vectorRarityScores } from "./vector-rarity";

export type TailJob =
  | { kind: "text"; texts: string[]; seed: number }
  | { kind: "vectors"; data: Float32Array; n: number; dim: number; seed: number };
export type TailReply = { ok: true; scores: Float64Array; threadId: number } | { ok: false; error: string };

parentPort?.once("message", (job: TailJob) => {
  try {
    const scores = Float64Array.from(job.kind === "text" ? textRarityScores(job.texts, job.seed) : vectorRarityScores(job.data, job.n, job.dim, { seed: job.seed }));
    parentPort!.postMessage({ ok: true, scores, threadId } satisfies TailReply, [scores.buffer]);
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) } satisfies TailReply);
  }
});
