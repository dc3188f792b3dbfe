import os from "node:os";
import type PgBoss from "pg-boss";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db";
import { directDatabaseUrl } from "@/db/client";
import type { JobDefinition } from "./define";
import { ensureQueue, runTracked } from "./queue";
import { markFailed, positiveEnv, stalledAfterSeconds } from "./state";

// Any number 32-bit: the first half of the session advisory locks that keep two jobs of one key apart.
const JOB_LOCK_SPACE = 730_552;

export type RunningWorker = { name: string; stop: () => Promise<void> };

/**
 * Work every registered job's queue on PostgreSQL (scripts/worker.ts). One job at a time per queue in this process;
 * run more processes for more throughput. Each attempt holds a session advisory lock on (kind, key) for its whole
 * run: pg-boss "stately" already keeps one job of a key active, but an attempt that outlives its expiry keeps running
 * here while pg-boss hands a retry to another worker, and the lock makes that retry wait (fail and back off) instead
 * of overlapping it. A killed worker's session ends, and the lock with it.
 */
export async function startWorker(db: Db, jobs: JobDefinition<never>[], opts: { name?: string } = {}): Promise<RunningWorker> {
  const url = directDatabaseUrl();
  if (!url) throw new Error("the embedded default has no separate worker; jobs run in the app");
  const name = opts.name ?? `${os.hostname()}:${process.pid}`;
  const { default: PgBossCtor } = await import("pg-boss");
  const boss = new PgBossCtor({
    connectionString: url,
    max: 3,
    // Expired attempts (a killed worker) are failed and retried by this maintenance, so it runs often.
    maintenanceIntervalSeconds: Math.max(1, Math.round(positiveEnv("JOB_MAINTENANCE_SECONDS", 30))),
    schedule: false,
  });
  boss.on("error", (e: unknown) => console.error("[pg-boss]", e));
  await boss.start();
  // One session for the advisory locks (max 1: the lock and its unlock must land on the same connection).
  const locks = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: `margin-worker-locks:${name}` } });
  const poll = Math.max(0.5, positiveEnv("JOB_POLL_SECONDS", 1));
  for (const def of jobs) {
    await ensureQueue(boss, def.queue);
    await boss.work<object>(def.queue, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: poll }, async (batch) => {
      for (const job of batch) await attempt(db, locks, def as unknown as JobDefinition<object>, job, name);
    });
  }
  const reconciler = setInterval(() => void reconcile(db).catch((e: unknown) => console.error("[jobs] reconcile failed", e)), 15_000);
  reconciler.unref();
  return {
    name,
    stop: async () => {
      clearInterval(reconciler);
      await boss.stop({ graceful: true, wait: true });
      await locks.end({ timeout: 5 });
    },
  };
}

async function attempt(db: Db, locks: postgres.Sql, def: JobDefinition<object>, job: PgBoss.JobWithMetadata<object>, worker: string): Promise<void> {
  const key = def.keyOf(job.data);
  const [got] = await locks<{ ok: boolean }[]>`select pg_try_advisory_lock(${JOB_LOCK_SPACE}, hashtext(${`${def.kind}:${key}`})) as ok`;
  if (!got?.ok) {
    // Another attempt of this key still runs (its job expired meanwhile): fail this one so pg-boss backs off and
    // retries it later. The running one owns the status row; it is not touched.
    throw new Error(`another ${def.kind} job for ${key} is still running`);
  }
  try {
    await runTracked(db, def, job.data, { jobId: job.id, attempt: job.retryCount + 1, worker, embedded: false, retrying: job.retryCount < job.retryLimit });
  } finally {
    await locks`select pg_advisory_unlock(${JOB_LOCK_SPACE}, hashtext(${`${def.kind}:${key}`}))`.catch(() => {});
  }
}

/**
 * Rows that say "running" but whose heartbeat stopped (the worker was killed) follow what pg-boss decided about
 * their job once it expired: retried (shown as retrying until another worker takes it) or failed for good.
 */
export async function reconcile(db: Db): Promise<void> {
  const stale = rowsOf<{ kind: string; key: string; state: string; output: unknown }>(
    await db.execute(sql`
      select s.kind, s.key, j.state, j.output
      from job_states s join pgboss.job j on j.id::text = s.job_id
      where s.state = 'running' and s.heartbeat_at < now() - make_interval(secs => ${stalledAfterSeconds()})
        and j.state in ('retry', 'failed', 'created')`),
  );
  for (const row of stale) {
    const output = row.output as { message?: string; value?: { message?: string } } | null;
    const message = output?.message ?? output?.value?.message ?? "the worker stopped answering (job expired)";
    await markFailed(db, row.kind, row.key, message, row.state !== "failed");
  }
}
