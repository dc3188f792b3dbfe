import type PgBoss from "pg-boss";
import type { Db } from "@/db";
import { runRouting, type RoutingProgress, type RoutingSummary } from "./run-routing";

// Tail scoring + routing is long work, so it runs in the background.
// - PostgreSQL (DATABASE_URL): a pg-boss queue `route-campaign`; this process also works it (one job at a
//   time per campaign via singletonKey), so a crash mid-run leaves a retryable job, not a half-done run.
// - Embedded PGlite: pg-boss connects with `pg` and cannot reach an in-process WASM database, so the same job
//   function runs inline in this process (not awaited by the request). The one runRouting writes in a single
//   transaction either way, so a run is all-or-nothing.
// Progress lives in this process's memory (one app process drives a PGlite folder anyway); with several app
// instances the last routing_runs row and the item counts remain the durable truth.

export type RoutingStatus = { state: "idle" | "queued" | "running" | "failed"; progress?: RoutingProgress; error?: string; last?: RoutingSummary };
type Registry = { status: Map<string, RoutingStatus>; rerun: Set<string>; inline?: Set<Promise<unknown>>; boss?: Promise<PgBoss> };
const registry: Registry = ((globalThis as { __marginRouting?: Registry }).__marginRouting ??= { status: new Map(), rerun: new Set() });

const QUEUE = "route-campaign";

export function routingStatus(campaignId: string): RoutingStatus {
  return registry.status.get(campaignId) ?? { state: "idle" };
}

/** Run tail scoring and routing for a campaign in the background; returns at once. */
export async function scheduleRouting(db: Db, campaignId: string, actorId: string | null): Promise<{ mode: "queued" | "inline"; jobId?: string | null }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const boss = await bossFor(db, url);
    const jobId = await boss.send(QUEUE, { campaignId, actorId }, { singletonKey: campaignId, retryLimit: 2 });
    if (routingStatus(campaignId).state !== "running") registry.status.set(campaignId, { ...routingStatus(campaignId), state: "queued" });
    return { mode: "queued", jobId };
  }
  // Failures are logged and kept in the status (runTracked); nothing is left to reject unhandled.
  const run = runTracked(db, campaignId, actorId).catch(() => {});
  const inline = (registry.inline ??= new Set());
  inline.add(run);
  void run.finally(() => inline.delete(run));
  return { mode: "inline" };
}

/** The job: runRouting with its progress recorded; a request that arrives mid-run triggers one more run. */
export async function runTracked(db: Db, campaignId: string, actorId: string | null): Promise<RoutingSummary | null> {
  if (routingStatus(campaignId).state === "running") {
    registry.rerun.add(campaignId);
    return null;
  }
  let last: RoutingSummary | undefined = routingStatus(campaignId).last;
  try {
    do {
      registry.rerun.delete(campaignId);
      registry.status.set(campaignId, { state: "running", last, progress: { phase: "loading", done: 0, total: 0 } });
      last = await runRouting(db, campaignId, {
        actorId,
        onProgress: (progress) => registry.status.set(campaignId, { state: "running", progress, last }),
      });
    } while (registry.rerun.has(campaignId));
    registry.status.set(campaignId, { state: "idle", last });
    return last;
  } catch (e) {
    console.error("[routing] run failed", e);
    registry.status.set(campaignId, { state: "failed", error: e instanceof Error ? e.message : String(e), last });
    throw e;
  }
}

async function bossFor(db: Db, url: string): Promise<PgBoss> {
  registry.boss ??= (async () => {
    const { default: PgBossCtor } = await import("pg-boss");
    const boss = new PgBossCtor({ connectionString: url, max: 2 });
    boss.on("error", (e: unknown) => console.error("[pg-boss]", e));
    await boss.start();
    // "stately": per singletonKey (the campaign) at most one job queued and one running, so two routing runs of
    // one campaign never overlap across app instances (the default policy ignores singletonKey). A queue created
    // by an earlier version keeps its policy; runs stay safe there too (a run checks, under the campaign's import
    // lock, that nothing changed since it read the items).
    await boss.createQueue(QUEUE, { name: QUEUE, policy: "stately" });
    await boss.work<{ campaignId: string; actorId: string | null }>(QUEUE, { pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (const job of jobs) await runTracked(db, job.data.campaignId, job.data.actorId);
    });
    return boss;
  })().catch((e: unknown) => {
    registry.boss = undefined;
    throw e;
  });
  return registry.boss;
}

/** Wait for the inline routing runs under way (before closing an embedded database: tests, shutdown). */
export async function settleRouting(): Promise<void> {
  while (registry.inline?.size) await Promise.all([...registry.inline]);
}

/** Stop the queue (tests and graceful shutdown). */
export async function stopRoutingQueue(): Promise<void> {
  const boss = registry.boss;
  registry.boss = undefined;
  if (boss) await (await boss).stop({ graceful: true, wait: true });
}
