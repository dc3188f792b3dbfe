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
  /** Opened through a transaction pooler (no session state survives a transaction: no session advisory locks). */
  pooler?: boolean;
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
  /**
   * `url` is a PgBouncer in transaction pooling mode (default: poolerMode(), i.e. DATABASE_POOLER=pgbouncer): no
   * named prepared statements and no startup parameters (see openDb). postgres.js only.
   */
  pooler?: boolean;
};

/**
 * Whether DATABASE_URL points at a PgBouncer in transaction pooling mode: DATABASE_POOLER=pgbouncer. Said, not
 * detected: PgBouncer answers the startup handshake like a server, and a probe on every start-up would cost a round
 * trip to learn what the operator already knows. Anything else but unset or "none" stops start-up with a message.
 */
export function poolerMode(): boolean {
  const value = (process.env.DATABASE_POOLER ?? "").trim().toLowerCase();
  if (value === "" || value === "none") return false;
  if (value === "pgbouncer") return true;
  throw new Error(`DATABASE_POOLER must be "pgbouncer" (DATABASE_URL is a PgBouncer in transaction pooling mode) or unset (got "${value}").`);
}

/**
 * The server itself, for what needs a real session rather than a transaction-pooled one: the migrator's session
 * advisory lock, pg-boss's pool, long COPY streams. DATABASE_DIRECT_URL when set, else DATABASE_URL (which is the
 * server itself unless DATABASE_POOLER says otherwise); undefined on the embedded database. Callers that cannot
 * work through a pooler use requireDirectDatabaseUrl().
 */
export function directDatabaseUrl(): string | undefined {
  return process.env.DATABASE_DIRECT_URL?.trim() || process.env.DATABASE_URL || undefined;
}

/** directDatabaseUrl(), refusing (with what to set) when DATABASE_URL is a pooler and no direct URL is given. */
export function requireDirectDatabaseUrl(purpose: string): string | undefined {
  if (poolerMode() && !process.env.DATABASE_DIRECT_URL?.trim()) {
    throw new Error(
      `DATABASE_POOLER=pgbouncer: ${purpose} needs a session of its own on the server, which transaction pooling does not give. ` +
        "Set DATABASE_DIRECT_URL to the PostgreSQL server itself (e.g. postgres://user:password@db-host:5432/margin).",
    );
  }
  return directDatabaseUrl();
}

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
    const { noSessionTimeoutParameters, sessionTimeoutParameters } = await import("./timeouts");
    // Through PgBouncer in transaction pooling mode (docs/operations.md, "PgBouncer"), each transaction may run on
    // another server session: a named statement parsed on one is missing on the next (Debian's PgBouncer 1.18 does
    // not track them; max_prepared_statements came in 1.21), and startup parameters are refused. So every statement
    // is unnamed (postgres.js prepare: false; parameterised ones still travel as one extended-protocol exchange, which
    // PgBouncer keeps on one server) and the limits are the server's per-role or per-database settings instead.
    const pooler = options.pooler ?? poolerMode();
    const startup = (parameters: Record<string, string>) => (pooler ? {} : parameters);
    // timeouts: false (the migrator) says "no limits" explicitly, so a role's or database's defaults meant for
    // the pooled web path do not reach it.
    const limits = options.timeouts === false ? noSessionTimeoutParameters() : sessionTimeoutParameters();
    const base = { max: options.max ?? 10, onnotice: () => {}, connect_timeout: 10, backoff: reconnectBackoffSeconds, ...(pooler ? { prepare: false } : {}) };
    const client = postgres(options.url, { ...base, connection: startup(limits) });
    // The contributor hot path (executePrepared: next-item, submit) runs on a pool of its own whose sessions plan
    // without sequential scans and always reuse the generic plan. Its statements are point lookups by design; a
    // generic plan cached while assignments was small would otherwise keep seq-scanning it (once per candidate
    // item) as it grows, until autovacuum's next analyze, and a custom plan costs ~2 ms of planning per call.
    // Session parameters in the startup packet, hence none under a pooler (see above).
    const hot = options.hotPool === false ? null : postgres(options.url, {
      ...base,
      // jit off: with seq scans disabled the generic plan's estimated cost passes jit_above_cost, and PostgreSQL
      // then JIT-compiles the lease statement on every call (49 ms to 2 s, against 1.5 ms without; issue #19).
      // A pooler that drops startup parameters needs `ALTER ROLE … SET jit = off` instead (docs/assignment.md, "JIT").
      // Under a pooler the statements are unnamed, so each call is planned afresh with the table's current size
      // and no generic plan is cached; the pool still keeps the hot path's connections apart from the main pool's.
      connection: startup({ ...limits, enable_seqscan: "off", plan_cache_mode: "force_generic_plan", jit: "off" }),
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
    return { db, kind: "postgres", pooler, close: async () => void (await Promise.all([client.end({ timeout: 5 }), hot?.end({ timeout: 5 })])) };
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
    // Under a pooler the pools were made with prepare: false, which overrides this (postgres.js): unnamed statements.
    return (await (hotPools.get(client) ?? client).unsafe(q.sql, q.params, { prepare: true })) as T[];
  }
  return rowsOf<T>(await db.execute(query));
}
