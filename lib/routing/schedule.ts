import type { Db } from "@/db";
import { defineJob } from "@/lib/jobs/define";
import { enqueue, settleLocalJobs, stopSender, type Enqueued } from "@/lib/jobs/queue";
import { positiveEnv, readJobState, stalledAfterSeconds } from "@/lib/jobs/state";
import { runRouting, type RoutingProgress, type RoutingSummary } from "./run-routing";

// Tail scoring + routing is long work, so it runs in the background (lib/jobs/):
// - PostgreSQL (DATABASE_URL): the web process only enqueues a pg-boss job `route-campaign`; worker processes
//   (`npm run worker`, one started by `npm start`) run it. A failed attempt is retried with backoff; an attempt
//   whose worker was killed expires (JOB_ROUTING_EXPIRE_SECONDS) and is retried by another worker.
// - Embedded PGlite: pg-boss connects with `pg` and cannot reach an in-process WASM database, so the same job runs
//   in the app process (not awaited by the request), in slices that give the event loop a turn every few ms.
// Either way its state (queued / running with phase and counts / finished / retrying / failed with the error) is a
// job_states row, so every app instance shows the same status. runRouting writes in one transaction: a run is
// all-or-nothing, and a killed attempt leaves nothing behind.

export type RoutingStatus = {
  state: "idle" | "queued" | "running" | "stalled" | "retrying" | "failed";
  progress?: RoutingProgress;
  error?: string;
  last?: RoutingSummary;
  /** Which try this is (1 = first); retries follow a failure or an expired attempt. */
  attempt?: number;
  /** When the worker last said it was alive (running) or when the state last changed. */
  heartbeatAt?: string;
};

type RoutingJobData = { campaignId: string; actorId: string | null };

export const routingJob = defineJob<RoutingJobData>({
  queue: "route-campaign",
  kind: "routing",
  keyOf: (data) => data.campaignId,
  // 15 minutes by default: a 100k-item embedding run takes well under that on a worker (docs/benchmarks.md).
  expireSeconds: () => positiveEnv("JOB_ROUTING_EXPIRE_SECONDS", positiveEnv("JOB_EXPIRE_SECONDS", 900)),
  run: ({ db, data, report, embedded }) => runRouting(db, data.campaignId, { actorId: data.actorId, onProgress: report, sliced: embedded }),
});

/** The routing state of a campaign as every instance sees it (its job_states row). */
export async function routingStatus(db: Db, campaignId: string): Promise<RoutingStatus> {
  const row = await readJobState(db, routingJob.kind, campaignId);
  if (!row) return { state: "idle" };
  const last = (row.result as RoutingSummary | null) ?? undefined;
  const heartbeatAt = (row.heartbeatAt ?? row.updatedAt).toISOString();
  const progress = row.phase ? { phase: row.phase as RoutingProgress["phase"], done: row.done, total: row.total } : undefined;
  const base = { last, attempt: row.attempt || undefined, heartbeatAt };
  switch (row.state) {
    case "queued":
      return { ...base, state: "queued", error: row.error ?? undefined };
    case "running": {
      // A worker writes a heartbeat every few seconds; silence means it may be gone. pg-boss expires the attempt
      // and retries it elsewhere; meanwhile the status says so rather than "running" forever.
      const stalled = Date.now() - new Date(heartbeatAt).getTime() > stalledAfterSeconds() * 1000;
      return { ...base, state: stalled ? "stalled" : "running", progress: progress ?? { phase: "loading", done: 0, total: 0 } };
    }
    case "retrying":
      return { ...base, state: "retrying", error: row.error ?? undefined };
    case "failed":
      return { ...base, state: "failed", error: row.error ?? "unknown error" };
    default:
      return { ...base, state: "idle" };
  }
}

/** Run tail scoring and routing for a campaign in the background; returns at once. */
export async function scheduleRouting(db: Db, campaignId: string, actorId: string | null): Promise<Enqueued> {
  return enqueue(db, routingJob, { campaignId, actorId });
}

/** Wait for the in-process routing runs under way (before closing an embedded database: tests, shutdown). */
export async function settleRouting(): Promise<void> {
  await settleLocalJobs();
}

/** Close this process's queue client (tests and graceful shutdown). */
export async function stopRoutingQueue(): Promise<void> {
  await stopSender();
}
