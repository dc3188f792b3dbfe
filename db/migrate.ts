import { sql } from "drizzle-orm";
import { migrationsFolder, openDb, type DbHandle, type DbOptions } from "./client";

// Any number 64-bit: the key of the advisory lock that serialises concurrent migrators on one server.
const MIGRATION_LOCK = 7_305_521_991;

/**
 * Apply the committed migrations. Idempotent: drizzle records applied migrations, and on a server an advisory
 * lock makes concurrent starters wait rather than race.
 */
export async function migrateHandle(handle: DbHandle): Promise<void> {
  if (handle.kind === "embedded") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    // The cast is safe: an embedded handle's db is a PgliteDatabase.
    await migrate(handle.db as never, { migrationsFolder });
    return;
  }
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  await handle.db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK})`);
  try {
    await migrate(handle.db as never, { migrationsFolder });
  } finally {
    await handle.db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK})`);
  }
}

/** Open, migrate and return a handle (postgres handles use one connection while migrating, see above). */
export async function openMigratedDb(options: DbOptions): Promise<DbHandle> {
  if (options.url) {
    // Session-level advisory locks need one connection for lock, migrate and unlock.
    const single = await openDb({ ...options, max: 1, timeouts: false });
    try {
      await migrateHandle(single);
    } finally {
      await single.close();
    }
    return openDb(options);
  }
  const handle = await openDb(options);
  await migrateHandle(handle);
  return handle;
}
