import { migrationsFolder, openDb, postgresClientOf, type DbHandle, type DbOptions } from "./client";
import { prebuildIndexes } from "./concurrent-indexes";

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
  // The lock is a session's: take and release it on one reserved connection, whatever the pool's size (on a
  // pool, lock and unlock could land on two connections and leave the lock held for good). That session waits
  // for another migrator as long as it takes, whatever lock_timeout the pool's connections start with.
  const client = postgresClientOf(handle.db) as unknown as { reserve?: () => Promise<ReservedSql> } | null;
  if (!client?.reserve) throw new Error("migrateHandle: no postgres.js client to hold the migration lock");
  // Needs a pool of at least two: the reserved session plus a connection for the migrations.
  const session = await client.reserve();
  try {
    await session.unsafe("set lock_timeout = 0");
    await session.unsafe(`select pg_advisory_lock(${MIGRATION_LOCK})`);
    try {
      // Pending index builds first, CONCURRENTLY and outside any transaction (db/concurrent-indexes.ts): the
      // migration's own guarded statements then find them built and hold no long table lock.
      await prebuildIndexes(session, migrationsFolder, (line) => console.log(`[migrate] ${line}`));
      await migrate(handle.db as never, { migrationsFolder });
    } finally {
      await session.unsafe(`select pg_advisory_unlock(${MIGRATION_LOCK})`);
    }
  } finally {
    await session.unsafe("reset lock_timeout").catch(() => {});
    session.release();
  }
}

type ReservedSql = { unsafe: (query: string, params?: unknown[]) => Promise<unknown>; release: () => void };

/** Open, migrate and return a handle (on a server, a small pool of its own while migrating, see above). */
export async function openMigratedDb(options: DbOptions): Promise<DbHandle> {
  if (options.url) {
    // Two connections: one holds the migration lock (reserved), the other runs the migrations.
    const single = await openDb({ ...options, max: 2, timeouts: false });
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
