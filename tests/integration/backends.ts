import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openMigratedDb } from "@/db/migrate";
import { databaseTimeoutSettings } from "@/db/timeouts";
import type { DbHandle } from "@/db/client";
import { replicaPort, replicaUrlOf, waitForReplica } from "./replica-support";

export type Backend = { name: "pglite" | "postgres"; open: () => Promise<TestDb> };
/** replicaUrl: the same database on the run's streaming replica (MARGIN_TEST_REPLICA=1, global-replica.ts). */
/** directUrl: the server itself when url is the run's PgBouncer (MARGIN_TEST_POOLER_URL), else url. */
export type TestDb = DbHandle & { url?: string; directUrl?: string; replicaUrl?: string; drop: () => Promise<void> };

/** Report cache writes finish after getReport returns: let them land before a database goes away. */
async function settle() {
  const { settleReportCache } = await import("@/lib/report/compute");
  const { settleRouting } = await import("@/lib/routing/schedule");
  // Background work of the test's own requests (inline routing runs, report cache writes) ends before its
  // database goes away.
  await settleRouting();
  await settleReportCache();
}

/** Refuse to create and drop databases anywhere but on this machine. */
function assertLocal(url: string): URL {
  const u = new URL(url);
  if (!["127.0.0.1", "localhost", "::1", "[::1]"].includes(u.hostname)) {
    throw new Error(`Integration tests refuse to run against a non-local database (${u.hostname}).`);
  }
  return u;
}

/**
 * The integration suite runs once per backend: embedded PGlite always, real PostgreSQL when DATABASE_URL is
 * set. Each open() gives a fresh, migrated database (in-memory PGlite, or a new throwaway database on the
 * server that drop() removes), so files can run in parallel without seeing each other's rows.
 */
export function backends(): Backend[] {
  const list: Backend[] = [
    {
      name: "pglite",
      open: async () => {
        const handle = await openMigratedDb({ dataDir: "memory://" });
        return { ...handle, drop: async () => {
          await settle();
          await handle.close();
        } };
      },
    },
  ];
  const base = process.env.DATABASE_URL;
  // MARGIN_TEST_POOLER_URL (scripts/pgbouncer.sh): app handles go through that PgBouncer in pooler mode, the same
  // database name; creating, migrating and dropping stay on the server itself.
  const pooler = process.env.MARGIN_TEST_POOLER_URL;
  if (base && pooler) process.env.DATABASE_POOLER = "pgbouncer";
  if (base) {
    list.push({
      name: "postgres",
      open: async () => {
        const u = assertLocal(base);
        const name = `margin_it_${randomBytes(6).toString("hex")}`;
        const admin = postgres(base, { max: 1, onnotice: () => {} });
        await admin.unsafe(`create database ${name}`);
        u.pathname = `/${name}`;
        const directUrl = u.toString();
        let url = directUrl;
        if (pooler) {
          const p = assertLocal(pooler);
          p.pathname = `/${name}`;
          url = p.toString();
          // What an operator does for the web role (docs/operations.md, "PgBouncer"): the limits that cannot pass
          // the pooler as startup parameters become the database's own settings.
          for (const statement of databaseTimeoutSettings(name)) await admin.unsafe(statement);
        }
        const handle = await openMigratedDb({ url, directUrl, max: 4 });
        const port = replicaPort();
        // The new database reaches the replica by streaming; wait for it there before anyone connects to it (and
        // drop it again if it never arrives, so a failed wait leaves nothing behind).
        if (port) {
          await waitForReplica(directUrl, port).catch(async (e: unknown) => {
            await handle.close();
            await admin.unsafe(`drop database if exists ${name} with (force)`);
            await admin.end();
            throw e;
          });
        }
        return {
          ...handle,
          url,
          directUrl,
          ...(port ? { replicaUrl: replicaUrlOf(directUrl, port) } : {}),
          drop: async () => {
            await settle();
            await handle.close();
            await admin.unsafe(`drop database if exists ${name} with (force)`);
            await admin.end();
          },
        };
      },
    });
  }
  return list;
}

/**
 * Point the app's own getDb() at a fresh database of this backend (for tests that call route handlers and
 * actions, which open the database themselves). Returns the function that stops the routing queue, closes
 * the app database and drops it.
 */
export async function useAppDatabase(backend: Backend): Promise<() => Promise<void>> {
  const { closeDb } = await import("@/db");
  await closeDb();
  if (backend.name === "postgres") {
    const t = await backend.open();
    await t.close();
    process.env.DATABASE_URL = t.url!;
    process.env.DATABASE_DIRECT_URL = t.directUrl!;
    // Reports and exports read through the run's replica when it has one (db/replica.ts). Tests read right after
    // writing, so a replica read must be a caught-up one: no lag allowed, and up to 2 s to catch up (the primary
    // otherwise, e.g. while replica.test.ts holds replay paused).
    if (t.replicaUrl) Object.assign(process.env, { REPORTS_DATABASE_URL: t.replicaUrl, REPORTS_MAX_LAG_MS: "0", REPORTS_CATCHUP_WAIT_MS: "2000" });
    else delete process.env.REPORTS_DATABASE_URL;
    return async () => {
      // A route under test may have started the pg-boss worker on this database; stop it before the drop
      // terminates its connections (else its pool rejects after the file has finished).
      const { stopRoutingQueue } = await import("@/lib/routing/schedule");
      await stopRoutingQueue();
      await settle();
      await closeDb();
      await t.drop();
    };
  }
  delete process.env.DATABASE_URL;
  delete process.env.DATABASE_DIRECT_URL;
  delete process.env.REPORTS_DATABASE_URL;
  process.env.MARGIN_DATA_DIR = "memory://";
  return async () => {
    await settle();
    await closeDb();
  };
}
