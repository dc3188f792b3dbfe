import { openMigratedDb } from "./migrate";
import type { Db, DbHandle } from "./client";

export type { Db, Tx, DbHandle } from "./client";
export { rowsOf } from "./client";

type Cache = { primary?: Promise<DbHandle>; reports?: Promise<DbHandle> };
// Cached on globalThis so dev-mode hot reload does not open a second PGlite on the same folder.
const cache: Cache = ((globalThis as { __marginDb?: Cache }).__marginDb ??= {});

/**
 * The app's database: PostgreSQL when DATABASE_URL is set, otherwise embedded PGlite in MARGIN_DATA_DIR
 * (default .margin/pgdata). Opened lazily on first use and migrated once per process.
 */
export function getDb(): Promise<Db> {
  // Migrations run on the server itself (DATABASE_DIRECT_URL) when DATABASE_URL is a transaction pooler.
  cache.primary ??= openMigratedDb({ url: process.env.DATABASE_URL || undefined, directUrl: process.env.DATABASE_DIRECT_URL?.trim() || undefined }).catch((e: unknown) => {
    cache.primary = undefined;
    throw e;
  });
  return cache.primary.then((h) => h.db);
}

/**
 * Heavy reads (reports, exports) go to REPORTS_DATABASE_URL when set (a read replica) and it is sound and near
 * enough, else the primary (db/replica.ts decides, per call). Callers that report where they read use reportsRead().
 */
export async function getReportsDb(): Promise<Db> {
  const { reportsRead } = await import("./replica");
  return (await reportsRead()).db;
}

export async function closeDb(): Promise<void> {
  const handles = [cache.primary, cache.reports];
  cache.primary = cache.reports = undefined;
  for (const h of handles) if (h) await (await h).close();
  // The replica's pool and checks live in db/replica.ts; its state exists once a report or export has asked for it.
  if ((globalThis as { __marginReplica?: unknown }).__marginReplica) await (await import("./replica")).closeReplica();
}
