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
  cache.primary ??= openMigratedDb({ url: process.env.DATABASE_URL || undefined }).catch((e: unknown) => {
    cache.primary = undefined;
    throw e;
  });
  return cache.primary.then((h) => h.db);
}

/**
 * Heavy reads (reports, exports) go to REPORTS_DATABASE_URL when set (a read replica), else the primary.
 * A replica is expected to be migrated by its primary, so it is only opened here.
 */
export function getReportsDb(): Promise<Db> {
  const url = process.env.REPORTS_DATABASE_URL;
  if (!url) return getDb();
  cache.reports ??= import("./client").then(({ openDb }) => openDb({ url, hotPool: false }));
  return cache.reports.then((h) => h.db);
}

export async function closeDb(): Promise<void> {
  const handles = [cache.primary, cache.reports];
  cache.primary = cache.reports = undefined;
  for (const h of handles) if (h) await (await h).close();
}
