/**
 * The streaming replica of a test run (tests/integration/global-replica.ts), as the test files see it: its port,
 * the replica URL of a database created on the primary, and a wait until the replica has that database.
 */
import postgres from "postgres";
import { inject } from "vitest";
import { openDb, type Db, type DbHandle } from "@/db/client";
import { chooseReads, type ReadFreshness } from "@/db/replica";

/** The replica's port, or null when this run has none (MARGIN_TEST_REPLICA unset, or PGlite only). */
export function replicaPort(): number | null {
  const port = inject("replicaPort") || Number(process.env.MARGIN_TEST_REPLICA_PORT || 0);
  return port > 0 ? port : null;
}

/** The same database on the replica. */
export function replicaUrlOf(primaryUrl: string, port: number): string {
  const u = new URL(primaryUrl);
  u.port = String(port);
  return u.toString();
}

/**
 * Wait until the replica has replayed everything the primary had written when this was called: a database just
 * created (and migrated) on the primary exists there, so connecting to it cannot fail with "does not exist". The
 * limit is generous: a replica replaying a concurrent benchmark's bulk load on the loaded 2-core machine was
 * measured more than 30 s behind.
 */
export async function waitForReplica(primaryUrl: string, port: number, timeoutMs = 90_000): Promise<void> {
  const admin = new URL(primaryUrl);
  admin.pathname = "/postgres";
  const primary = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  const replica = postgres(replicaUrlOf(admin.toString(), port), { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [{ lsn }] = (await primary`select pg_current_wal_lsn()::text as lsn`) as unknown as [{ lsn: string }];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ done }] = (await replica`select coalesce(pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn, false) as done`) as unknown as [{ done: boolean }];
      if (done) return;
      if (Date.now() > deadline) throw new Error(`the test replica on port ${port} did not replay up to ${lsn} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    await Promise.all([primary.end(), replica.end()]);
  }
}

/**
 * For tests that hand getReport its databases: the reads of one report through the replica when the run has one
 * (chosen as the app chooses, db/replica.ts; caught up or not at all, since tests read right after writing), else
 * the primary.
 */
export async function reportDbs(primary: Db, replica: Db | null): Promise<{ reads: Db; writes: Db; freshness?: ReadFreshness }> {
  if (!replica) return { reads: primary, writes: primary };
  const chosen = await chooseReads(primary, replica, { maxLagMs: 0, catchupWaitMs: 5_000 });
  return { reads: chosen.db, writes: primary, freshness: chosen.freshness };
}

/** A pool on a test database's replica (close it before the database is dropped), or null without a replica. */
export async function openReplica(replicaUrl: string | undefined): Promise<DbHandle | null> {
  return replicaUrl ? openDb({ url: replicaUrl, hotPool: false }) : null;
}
