import { migrationsFolder, openDb, poolerMode, postgresClientOf, type DbHandle, type DbOptions } from "./client";
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
  // Through a transaction pooler the lock would stay with whichever server connection took it (and its unlock could
  // land on another): a later migrator would wait for ever. Migrations run on the server itself.
  if (handle.pooler) throw new Error("migrateHandle: this handle goes through a transaction pooler; migrate on DATABASE_DIRECT_URL (the server itself).");
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

/**
 * Open, migrate and return a handle (on a server, a small pool of its own while migrating, see above). `directUrl`
 * is where that pool connects when `url` is a PgBouncer in transaction pooling mode (`pooler`, default
 * DATABASE_POOLER): the migration lock is a session's, which a transaction pooler cannot keep, so a pooled `url`
 * without a direct one is refused before anything runs.
 */
export async function openMigratedDb(options: DbOptions & { directUrl?: string }): Promise<DbHandle> {
  if (options.url) {
    const { directUrl, ...open } = options;
    const pooled = options.pooler ?? poolerMode();
    if (pooled && !directUrl) {
      throw new Error(
        "DATABASE_POOLER=pgbouncer: migrations hold a session advisory lock, which transaction pooling cannot keep. " +
          "Set DATABASE_DIRECT_URL to the PostgreSQL server itself (e.g. postgres://user:password@db-host:5432/margin).",
      );
    }
    // Two connections: one holds the migration lock (reserved), the other runs the migrations.
    const single = await openDb({ ...open, url: directUrl ?? options.url, pooler: false, max: 2, timeouts: false, hotPool: false });
    try {
      await migrateHandle(single);
    } finally {
      await single.close();
    }
    const handle = await openDb(open);
    if (pooled) await warnWithoutServerLimits(handle);
    return handle;
  }
  const handle = await openDb(options);
  await migrateHandle(handle);
  return handle;
}

/**
 * Through a pooler the app cannot send its limits (db/timeouts.ts) as startup parameters; they must be the web role's
 * or database's own settings (docs/operations.md, "PgBouncer"). Say so at start-up when they are not what the
 * environment asks for, rather than run without them unnoticed.
 */
async function warnWithoutServerLimits(handle: DbHandle): Promise<void> {
  const { dbTimeouts, sessionTimeoutParameters } = await import("./timeouts");
  const wanted = sessionTimeoutParameters(dbTimeouts());
  const { sql } = await import("drizzle-orm");
  const { rowsOf } = await import("./client");
  // PostgreSQL reports time settings in their largest whole unit ("1min", "10s"); compare in milliseconds.
  const [row] = rowsOf<Record<string, string>>(
    await handle.db.execute(sql.raw(
      Object.keys(wanted).map((name) => `(select setting::bigint * case unit when 's' then 1000 when 'min' then 60000 else 1 end from pg_settings where name = '${name}')::text as ${name}`).join(", ").replace(/^/, "select "),
    )),
  );
  const off = Object.entries(wanted).filter(([name, value]) => row?.[name] !== value);
  if (off.length === 0) return;
  console.warn(
    `margin: DATABASE_POOLER=pgbouncer, but the server's ${off.map(([name, value]) => `${name} is ${row?.[name]} ms, not ${value}`).join("; ")}. ` +
      "Startup parameters cannot pass a transaction pooler: set them on the web role, e.g. " +
      off.map(([name, value]) => `ALTER ROLE web_user IN DATABASE margin SET ${name} = ${value};`).join(" ") + " (docs/operations.md, \"PgBouncer\").",
  );
}
