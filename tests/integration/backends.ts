import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openMigratedDb } from "@/db/migrate";
import type { DbHandle } from "@/db/client";

export type Backend = { name: "pglite" | "postgres"; open: () => Promise<TestDb> };
export type TestDb = DbHandle & { url?: string; drop: () => Promise<void> };

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
  if (base) {
    list.push({
      name: "postgres",
      open: async () => {
        const u = assertLocal(base);
        const name = `margin_it_${randomBytes(6).toString("hex")}`;
        const admin = postgres(base, { max: 1, onnotice: () => {} });
        await admin.unsafe(`create database ${name}`);
        u.pathname = `/${name}`;
        const url = u.toString();
        const handle = await openMigratedDb({ url, max: 4 });
        return {
          ...handle,
          url,
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
  process.env.MARGIN_DATA_DIR = "memory://";
  return async () => {
    await settle();
    await closeDb();
  };
}
