import { sql } from "drizzle-orm";
import { postgresClientOf, type Tx } from "./client";

// Server-side limits on what one request can hold (docs/operations.md): every app connection to PostgreSQL starts
// with these session settings, so a statement that runs away, a lock wait that queues, or a transaction left open
// by a stalled client ends on its own instead of holding a connection and its locks.

const ms = (name: string, dflt: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return dflt;
  const n = Number(raw);
  // 0 turns a limit off (PostgreSQL's own meaning); anything unreadable keeps the default.
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : dflt;
};

export type DbTimeouts = { statementMs: number; lockMs: number; idleInTransactionMs: number; longStatementMs: number };

/** The limits in force, from the environment (milliseconds; 0 = off). */
export function dbTimeouts(): DbTimeouts {
  return {
    statementMs: ms("DB_STATEMENT_TIMEOUT_MS", 60_000),
    lockMs: ms("DB_LOCK_TIMEOUT_MS", 10_000),
    idleInTransactionMs: ms("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 60_000),
    longStatementMs: ms("DB_LONG_STATEMENT_TIMEOUT_MS", 600_000),
  };
}

/** The startup parameters for a postgres.js pool (its `connection` option). */
export function sessionTimeoutParameters(t: DbTimeouts = dbTimeouts()): Record<string, string> {
  return {
    statement_timeout: String(t.statementMs),
    lock_timeout: String(t.lockMs),
    idle_in_transaction_session_timeout: String(t.idleInTransactionMs),
  };
}

/**
 * Every limit off, said explicitly in the startup packet: for the migrator, which must not inherit the limits an
 * operator set on the role or database for the pooled web path (docs/operations.md, "PgBouncer").
 */
export function noSessionTimeoutParameters(): Record<string, string> {
  return sessionTimeoutParameters({ statementMs: 0, lockMs: 0, idleInTransactionMs: 0, longStatementMs: 0 });
}

/**
 * The statements that give a database the limits above (and jit = off) as its own defaults, for sessions that
 * cannot carry startup parameters (through PgBouncer in transaction pooling mode). An operator would rather set them on the web
 * role (ALTER ROLE … IN DATABASE … SET, docs/operations.md); the values are the same. Milliseconds.
 */
export function databaseTimeoutSettings(database: string, t: DbTimeouts = dbTimeouts()): string[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`databaseTimeoutSettings: not a plain database name: ${database}`);
  return [
    ...Object.entries(sessionTimeoutParameters(t)).map(([name, value]) => `alter database ${database} set ${name} = ${Number(value)}`),
    // The hot-path pool's other startup parameter that matters: no JIT compilation of the lease statement, whose
    // estimated cost crosses jit_above_cost once a campaign holds many assignments (docs/assignment.md, "JIT").
    `alter database ${database} set jit = off`,
  ];
}

/**
 * For the few bounded bulk writes (an import's write transaction, a routing run): a longer statement timeout for
 * the rest of this transaction, and optionally a longer lock wait (a routing run queues behind an import's write by
 * design). PostgreSQL only; PGlite has one connection and no such limits.
 */
export async function allowLongStatements(tx: Tx, opts: { lockWait?: boolean } = {}): Promise<void> {
  if (!postgresClientOf(tx)) return;
  const t = dbTimeouts();
  await tx.execute(sql.raw(`set local statement_timeout = ${t.longStatementMs}`));
  if (opts.lockWait) await tx.execute(sql.raw(`set local lock_timeout = ${t.longStatementMs}`));
}
