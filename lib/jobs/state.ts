import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { jobStates } from "@/db/schema";

export type JobProgress = { phase: string; done: number; total: number };
export type JobStateRow = typeof jobStates.$inferSelect;

/** A job that says it runs but has not written a heartbeat for this long is shown as stalled (its worker may be gone). */
export function stalledAfterSeconds(): number {
  return positiveEnv("JOB_STALLED_SECONDS", 30);
}

export function positiveEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds (got "${raw}").`);
  return value;
}

export async function readJobState(db: Db, kind: string, key: string): Promise<JobStateRow | null> {
  const [row] = await db.select().from(jobStates).where(and(eq(jobStates.kind, kind), eq(jobStates.key, key)));
  return row ?? null;
}

/**
 * A job was enqueued. When one is already running the row keeps saying so and notes that another waits behind it
 * (pending), so a second request never hides the progress of the run under way.
 */
export async function markQueued(db: Db, kind: string, key: string, jobId: string | null): Promise<void> {
  await db
    .insert(jobStates)
    .values({ kind, key, state: "queued", jobId, queuedAt: sql`now()`, updatedAt: sql`now()` })
    .onConflictDoUpdate({
      target: [jobStates.kind, jobStates.key],
      set: {
        state: sql`case when ${jobStates.state} = 'running' then ${jobStates.state} else 'queued' end`,
        pending: sql`${jobStates.state} = 'running'`,
        jobId: sql`case when ${jobStates.state} = 'running' then ${jobStates.jobId} else excluded.job_id end`,
        queuedAt: sql`now()`,
        updatedAt: sql`now()`,
      },
    });
}

export async function markRunning(db: Db, kind: string, key: string, info: { jobId: string | null; attempt: number; worker: string }): Promise<void> {
  const values = { state: "running", pending: false, phase: null, done: 0, total: 0, jobId: info.jobId, attempt: info.attempt, worker: info.worker, startedAt: sql`now()`, heartbeatAt: sql`now()`, finishedAt: null, updatedAt: sql`now()` };
  await db
    .insert(jobStates)
    .values({ kind, key, ...values })
    .onConflictDoUpdate({ target: [jobStates.kind, jobStates.key], set: values });
}

/** Progress and heartbeat of the job `jobId` (a row taken over by a later job is left alone). */
export async function writeProgress(db: Db, kind: string, key: string, jobId: string | null, progress: JobProgress | null): Promise<void> {
  await db
    .update(jobStates)
    .set({ ...(progress ? { phase: progress.phase, done: progress.done, total: progress.total } : {}), heartbeatAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(jobStates.kind, kind), eq(jobStates.key, key), eq(jobStates.state, "running"), jobId === null ? sql`${jobStates.jobId} is null` : eq(jobStates.jobId, jobId)));
}

export async function markFinished(db: Db, kind: string, key: string, result: unknown): Promise<void> {
  await db
    .update(jobStates)
    .set({ state: sql`case when ${jobStates.pending} then 'queued' else 'finished' end`, phase: "done", error: null, result: result as object, finishedAt: sql`now()`, heartbeatAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(jobStates.kind, kind), eq(jobStates.key, key)));
}

/** A failed attempt: `retrying` while pg-boss will try again (after its backoff), `failed` after the last one. */
export async function markFailed(db: Db, kind: string, key: string, error: string, retrying: boolean): Promise<void> {
  await db
    .update(jobStates)
    .set({
      state: retrying ? "retrying" : sql`case when ${jobStates.pending} then 'queued' else 'failed' end`,
      error,
      finishedAt: retrying ? null : sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(eq(jobStates.kind, kind), eq(jobStates.key, key)));
}

/**
 * Progress writes of one job, throttled: a phase change or the first report is written at once, the rest at most
 * every `everyMs`; a heartbeat every `heartbeatMs` while the job runs says the worker is alive even in a phase
 * that reports nothing (tail scoring). Writes are chained, never concurrent, and a failed write is logged and
 * forgotten: progress is a display, the job's outcome is what counts.
 */
export function progressWriter(db: Db, kind: string, key: string, jobId: string | null, opts: { everyMs?: number; heartbeatMs?: number } = {}) {
  const everyMs = opts.everyMs ?? 500;
  let last: JobProgress | null = null;
  let written = 0;
  let writtenPhase = "";
  let dirty = false;
  let chain: Promise<void> = Promise.resolve();
  const write = (p: JobProgress | null) => {
    chain = chain.then(() => writeProgress(db, kind, key, jobId, p)).catch((e: unknown) => console.error(`[jobs] progress write for ${kind} ${key} failed`, e));
  };
  const flushTimer = setInterval(() => {
    if (dirty && last) {
      dirty = false;
      written = Date.now();
      write(last);
    }
  }, everyMs);
  const heartbeat = setInterval(() => write(null), opts.heartbeatMs ?? 5000);
  flushTimer.unref?.();
  heartbeat.unref?.();
  return {
    report(p: JobProgress) {
      last = p;
      if (p.phase !== writtenPhase || Date.now() - written >= everyMs) {
        writtenPhase = p.phase;
        written = Date.now();
        dirty = false;
        write(p);
      } else dirty = true;
    },
    async stop() {
      clearInterval(flushTimer);
      clearInterval(heartbeat);
      await chain;
    },
  };
}
