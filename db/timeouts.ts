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
