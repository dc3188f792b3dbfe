import type { Db } from "@/db";
import { positiveEnv, type JobProgress } from "./state";

export type JobContext<T> = {
  db: Db;
  data: T;
  /** Progress for the status (written throttled, see progressWriter). */
  report: (p: JobProgress) => void;
  /** True on the embedded database: the job runs inside the app process and must yield often (see lib/jobs/slice.ts). */
  embedded: boolean;
};

/**
 * A background job: a pg-boss queue worked by `npm run worker` on PostgreSQL, or run in the app process on the
 * embedded database; its state goes to job_states under (kind, keyOf(data)) either way. Jobs of one key never run at
 * the same time (pg-boss "stately" plus a session advisory lock in the worker, an in-process guard when embedded).
 */
export type JobDefinition<T> = {
  queue: string;
  kind: string;
  keyOf: (data: T) => string;
  /** How long an attempt may stay active before pg-boss fails it (and retries it elsewhere): a worker killed mid-job. */
  expireSeconds: () => number;
  run: (ctx: JobContext<T>) => Promise<unknown>;
};

export function defineJob<T>(def: JobDefinition<T>): JobDefinition<T> {
  return def;
}

/** pg-boss retry settings shared by every job: JOB_RETRY_LIMIT tries more, the first after JOB_RETRY_DELAY_SECONDS, doubling. */
export function retryOptions(): { retryLimit: number; retryDelay: number; retryBackoff: true } {
  const raw = process.env.JOB_RETRY_LIMIT;
  const retryLimit = raw === undefined || raw.trim() === "" ? 2 : Number(raw);
  if (!Number.isInteger(retryLimit) || retryLimit < 0) throw new Error(`JOB_RETRY_LIMIT must be a whole number ≥ 0 (got "${raw}").`);
  return { retryLimit, retryDelay: Math.round(positiveEnv("JOB_RETRY_DELAY_SECONDS", 30)), retryBackoff: true };
}
