import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

// The state of background jobs (lib/jobs/), one row per (kind, key): e.g. ("routing", <campaign id>). It lives in
// the database rather than in a process's memory so that every app instance shows the same status, whichever
// worker (or, on the embedded database, the app itself) runs the job. The row describes the latest job of its key;
// pg-boss keeps the queue itself (pgboss.job) and the history.
export const jobStates = pgTable(
  "job_states",
  {
    kind: text().notNull(),
    key: text().notNull(),
    // queued | running | retrying | finished | failed
    state: text().notNull(),
    // Another job of the same key waits behind the running one (pg-boss "stately" keeps one queued and one active).
    pending: boolean().notNull().default(false),
    phase: text(),
    done: integer().notNull().default(0),
    total: integer().notNull().default(0),
    // The error of the last failed attempt (kept while retrying, so the status says why it is retrying).
    error: text(),
    attempt: integer().notNull().default(0),
    jobId: text(),
    worker: text(),
    // What the last successful job returned (for routing: the run's summary).
    result: jsonb(),
    queuedAt: timestamp({ withTimezone: true }),
    startedAt: timestamp({ withTimezone: true }),
    heartbeatAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] }), index("job_states_state_idx").on(t.state, t.heartbeatAt)],
);
