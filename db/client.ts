import path from "node:path";
import type { Writable } from "node:stream";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The one drizzle type the rest of the code sees; PGlite and postgres.js both satisfy it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type DbHandle = {
  db: Db;
  /** "embedded" (PGlite in a data folder or memory) or "postgres" (a server). Diagnostics only. */
  kind: "embedded" | "postgres";
  close: () => Promise<void>;
};

export type DbOptions = {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder, or "memory://" for a throwaway in-memory database. */
  dataDir?: string;
  /** Pool size for postgres.js. */
  max?: number;
  /** Open the contributor hot-path pool beside the main one (postgres.js only; default true). */
  hotPool?: boolean;
  /**
   * Start each connection with the statement, lock and idle-in-transaction timeouts of db/timeouts.ts (postgres.js
   * only; default true). Off for the migrator, which waits on purpose for another instance's migration.
   */
  timeouts?: boolean;
};

export const migrationsFolder = path.join(process.cwd(), "db", "migrations");

/**
 * Seconds a pool connection waits before reconnecting after its n-th consecutive failed connect (postgres.js's
 * `backoff`; n is shared by the pool). postgres.js's default, (0.5–1) × min(3^n / 100, 20), reaches 10–20 s after
 * a handful of refused connects while PostgreSQL restarts, so requests kept waiting (and some failed) for up to
 * 13 s after it was back (bench faults). Capped at 1 s, with jitter so connections do not reconnect in step.
 */
export function reconnectBackoffSeconds(retries: number): number {
  return (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1);
}

export function defaultDataDir(): string {
  return process.env.MARGIN_DATA_DIR ?? path.join(process.cwd(), ".margin", "pgdata");
}

/**
 * Open a database. Imports are dynamic so that loading this module opens nothing (next build must not touch
 * the data folder) and so that a postgres deployment never loads the WASM build.
 */
export async function openDb(options: DbOptions = {}): Promise<DbHandle> {
  const casing = "snake_case" as const;
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { sessionTimeoutParameters } = await import("./timeouts");
    const limits = options.timeouts === false ? {} : sessionTimeoutParameters();
    const base = { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10, backoff: reconnectBackoffSeconds };
    const client = postgres(options.url, { ...base, connection: limits });
    // The contributor hot path (executePrepared: next-item, submit) runs on a pool of its own whose sessions plan
    // without sequential scans and always reuse the generic plan. Its statements are point lookups by design; a
    // generic plan cached while assignments was small would otherwise keep seq-scanning it (once per candidate
    // item) as it grows, until autovacuum's next analyze, and a custom plan costs ~2 ms of planning per call.
    // Session parameters in the startup packet: a PgBouncer in front must list them in ignore_startup_parameters.
    const hot = options.hotPool === false ? null : postgres(options.url, {
      ...base,
      connection: { ...limits, enable_seqscan: "off", plan_cache_mode: "force_generic_plan" },
      // postgres.js's array-type lookup at connect plans horribly without seq scans (3 s for 16 connections);
      // the hot path's statements take and return no arrays.
      fetch_types: false,
    });
    if (hot) {
      // Same value handling as the main pool: drizzle's constructor sets the client's parsers and serializers
      // (JSON and timestamps pass through as text); without it a jsonb parameter would be JSON-encoded twice.
      drizzle({ client: hot });
      hotPools.set(client, hot as unknown as RawClient);
    }
    const db = drizzle({ client, schema, casing }) as unknown as Db;
    return { db, kind: "postgres", close: async () => void (await Promise.all([client.end({ timeout: 5 }), hot?.end({ timeout: 5 })])) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dataDir = options.dataDir ?? defaultDataDir();
  if (!dataDir.startsWith("memory://")) {
    const fs = await import("node:fs");
    fs.mkdirSync(dataDir, { recursive: true });
  }
  const client = await PGlite.create(dataDir);
  const db = drizzle({ client, schema, casing }) as unknown as Db;
  return {
    db,
    kind: "embedded",
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}

/** Rows of a `db.execute(sql…)` result: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

type RawClient = {
  unsafe: (query: string, params?: unknown[], options?: { prepare: boolean }) => Promise<unknown> & { writable: () => Promise<Writable> };
};
type DrizzleInternals = {
  _?: { session?: { client?: Partial<RawClient> } };
  dialect: { sqlToQuery: (query: SQL) => { sql: string; params: unknown[] } };
};

/**
 * The postgres.js client under a drizzle handle (the pool, or the transaction's connection inside
 * db.transaction), or null on PGlite. For the few paths that need what drizzle does not expose: named prepared
 * statements and COPY.
 */
export function postgresClientOf(db: Db | Tx): RawClient | null {
  const client = (db as unknown as DrizzleInternals)._?.session?.client;
  return client && typeof client.unsafe === "function" ? (client as RawClient) : null;
}

/** The hot-path pool of each postgres.js pool openDb made (see there). */
const hotPools = new WeakMap<object, RawClient>();

/**
 * `db.execute` for the hot path (next-item, submit). drizzle runs raw SQL as unnamed statements, so PostgreSQL
 * parses and plans these large statements on every call; on postgres.js this sends them as named prepared
 * statements instead (parsed once per connection, plan cached by the server), on the hot-path pool unless the
 * caller is inside a transaction. That pool has no array-type parsers (fetch_types off): statements run here
 * take and return no arrays. PGlite: plain db.execute.
 */
export async function executePrepared<T>(db: Db | Tx, query: SQL): Promise<T[]> {
  const client = postgresClientOf(db);
  if (client) {
    const q = (db as unknown as DrizzleInternals).dialect.sqlToQuery(query);
    return (await (hotPools.get(client) ?? client).unsafe(q.sql, q.params, { prepare: true })) as T[];
  }
  return rowsOf<T>(await db.execute(query));
}
