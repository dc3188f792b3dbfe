import type PgBoss from "pg-boss";
import type { Db } from "@/db";
import { directDatabaseUrl } from "@/db/client";
import { retryOptions, type JobDefinition } from "./define";
import { markFailed, markFinished, markQueued, markRunning, progressWriter } from "./state";

// The web process's side of background jobs. On PostgreSQL it only enqueues (pg-boss `send`) and records "queued";
// the worker processes (scripts/worker.ts) do the work. On the embedded database there is no worker process: the
// job runs here, not awaited by the request, through the same job_states rows.

type Registry = { sender?: Promise<PgBoss>; queues: Set<string>; local: Map<string, Promise<void>>; again: Set<string> };
const registry: Registry = ((globalThis as { __marginJobs?: Registry }).__marginJobs ??= { queues: new Set(), local: new Map(), again: new Set() });

export type Enqueued = { mode: "queued" | "inline"; jobId?: string | null };

export async function enqueue<T extends object>(db: Db, def: JobDefinition<T>, data: T): Promise<Enqueued> {
  const key = def.keyOf(data);
  if (process.env.DATABASE_URL) {
    const boss = await sender();
    await ensureQueue(boss, def.queue);
    // "stately" refuses a second queued job of one key (null): the one already waiting will see the same data.
    const jobId = await boss.send(def.queue, data, { singletonKey: key, expireInSeconds: Math.round(def.expireSeconds()), ...retryOptions() });
    if (jobId) await markQueued(db, def.kind, key, jobId);
    return { mode: "queued", jobId };
  }
  await markQueued(db, def.kind, key, null);
  runLocal(db, def, data);
  return { mode: "inline" };
}

/** Create the queue once per process with the "stately" policy: per key at most one job queued and one active. */
export async function ensureQueue(boss: PgBoss, queue: string): Promise<void> {
  if (registry.queues.has(queue)) return;
  // A queue created by an earlier version keeps its policy; runs stay safe there too (the worker's advisory lock).
  await boss.createQueue(queue, { name: queue, policy: "stately" });
  registry.queues.add(queue);
}

function sender(): Promise<PgBoss> {
  registry.sender ??= (async () => {
    const { default: PgBossCtor } = await import("pg-boss");
    // pg-boss needs sessions of its own (it is not pooler-safe): the server itself, not a transaction pooler.
    const boss = new PgBossCtor({ connectionString: directDatabaseUrl(), max: 2, supervise: false, schedule: false });
    boss.on("error", (e: unknown) => console.error("[pg-boss]", e));
    await boss.start();
    return boss;
  })().catch((e: unknown) => {
    registry.sender = undefined;
    throw e;
  });
  return registry.sender;
}

/**
 * Embedded: run the job in this process. A request that arrives while a job of the same key runs asks for one more
 * run after it (what pg-boss "stately" does on PostgreSQL); jobs of one key never overlap.
 */
function runLocal<T extends object>(db: Db, def: JobDefinition<T>, data: T): void {
  const id = `${def.kind}:${def.keyOf(data)}`;
  if (registry.local.has(id)) {
    registry.again.add(id);
    return;
  }
  const run = (async () => {
    do {
      registry.again.delete(id);
      await runTracked(db, def, data, { jobId: null, attempt: 1, worker: `app:${process.pid}`, embedded: true, retrying: false }).catch(() => {});
    } while (registry.again.has(id));
  })().finally(() => registry.local.delete(id));
  registry.local.set(id, run);
}

/** One attempt of a job with its state recorded: running → progress → finished, or failed/retrying with its error. */
export async function runTracked<T>(
  db: Db,
  def: JobDefinition<T>,
  data: T,
  info: { jobId: string | null; attempt: number; worker: string; embedded: boolean; retrying: boolean },
): Promise<unknown> {
  const key = def.keyOf(data);
  await markRunning(db, def.kind, key, info);
  const progress = progressWriter(db, def.kind, key, info.jobId);
  try {
    const result = await def.run({ db, data, report: progress.report, embedded: info.embedded });
    await progress.stop();
    await markFinished(db, def.kind, key, result ?? null);
    return result;
  } catch (e) {
    await progress.stop();
    console.error(`[jobs] ${def.kind} ${key} failed (attempt ${info.attempt})`, e);
    await markFailed(db, def.kind, key, e instanceof Error ? e.message : String(e), info.retrying).catch((w: unknown) => console.error("[jobs] could not record the failure", w));
    throw e;
  }
}

/** Wait for the jobs running in this process (before closing an embedded database: tests, shutdown). */
export async function settleLocalJobs(): Promise<void> {
  while (registry.local.size) await Promise.all([...registry.local.values()]);
}

/** Close the sending client (tests and graceful shutdown). */
export async function stopSender(): Promise<void> {
  const boss = registry.sender;
  registry.sender = undefined;
  registry.queues.clear();
  if (boss) await (await boss).stop({ graceful: true, wait: true });
}
