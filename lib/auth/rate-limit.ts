import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "@/db";
import { rateLimits } from "@/db/schema";

export type Limit = { limit: number; windowSeconds: number };

// Abuse limits. Fixed windows in Postgres, so every app instance shares the same counters.
const perIp = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
};

// Per-IP limits are configurable: many people behind one NAT (a lab, a classroom) share an address.
export const LIMITS = {
  signInPerIp: { limit: perIp("SIGNIN_LIMIT_PER_IP", 100), windowSeconds: 15 * 60 },
  signUpPerIp: { limit: perIp("SIGNUP_LIMIT_PER_IP", 20), windowSeconds: 60 * 60 },
} satisfies Record<string, Limit>;

/**
 * Count one hit on `key` and say whether it is still within the limit. One upsert: the window restarts when
 * it has expired, otherwise the counter goes up. `now` is injectable for tests.
 */
export async function hitRateLimit(db: Db, key: string, l: Limit, now = new Date()): Promise<{ allowed: boolean; count: number; retryAfterSeconds: number }> {
  const rows = rowsOf<{ count: number; window_start: string | Date }>(
    await db.execute(sql`
      insert into ${rateLimits} (key, window_start, count) values (${key}, ${now.toISOString()}::timestamptz, 1)
      on conflict (key) do update set
        count = case when ${rateLimits.windowStart} <= ${now.toISOString()}::timestamptz - make_interval(secs => ${l.windowSeconds}) then 1 else ${rateLimits.count} + 1 end,
        window_start = case when ${rateLimits.windowStart} <= ${now.toISOString()}::timestamptz - make_interval(secs => ${l.windowSeconds}) then excluded.window_start else ${rateLimits.windowStart} end
      returning count, window_start`),
  );
  const row = rows[0]!;
  await pruneRateLimitsSometimes(db, now);
  const started = new Date(row.window_start).getTime();
  const retryAfterSeconds = Math.max(0, Math.ceil((started + l.windowSeconds * 1000 - now.getTime()) / 1000));
  return { allowed: row.count <= l.limit, count: row.count, retryAfterSeconds };
}

/**
 * Failed sign-ins slow the next attempt down instead of locking an account (a lock lets anyone lock anyone out).
 * Failures are remembered for `memorySeconds` after the last one, per (account, address) and per account:
 * - per (account, address): the first `freeFailures` cost nothing, then each further attempt from that address
 *   waits 1, 2, 4, … seconds (capped at `maxDelaySeconds`) after the last failure. Another address is not held
 *   back by these failures, so the owner signing in from their own network is never blocked by an attacker's.
 * - per account, from every address: past `accountFreeFailures`, every answer for the account (right password
 *   or wrong) is slowed by 200 ms per failure, up to `accountMaxSlowMs` — a brake on guessing spread over many
 *   addresses (each of which also meets the per-address limit) that never refuses the owner.
 */
export const SIGNIN_THROTTLE = { freeFailures: 3, maxDelaySeconds: 300, memorySeconds: 15 * 60, accountFreeFailures: 10, accountMaxSlowMs: 3000 } as const;

/** Seconds the next attempt from one address must wait after `failures` failed ones (pure). */
export function signInDelaySeconds(failures: number): number {
  const over = failures - SIGNIN_THROTTLE.freeFailures;
  if (over < 0) return 0;
  return Math.min(SIGNIN_THROTTLE.maxDelaySeconds, 2 ** Math.min(over, 30));
}

/** Milliseconds every answer for an account is slowed after `failures` failed ones from anywhere (pure). */
export function accountSlowdownMs(failures: number): number {
  return Math.min(SIGNIN_THROTTLE.accountMaxSlowMs, Math.max(0, failures - SIGNIN_THROTTLE.accountFreeFailures) * 200);
}

/** Count one failure on `key`: the counter restarts when the last failure is older than the memory. */
export async function recordFailure(db: Db, key: string, now = new Date()): Promise<number> {
  const at = now.toISOString();
  const rows = rowsOf<{ count: number }>(
    await db.execute(sql`
      insert into ${rateLimits} (key, window_start, count) values (${key}, ${at}::timestamptz, 1)
      on conflict (key) do update set
        count = case when ${rateLimits.windowStart} <= ${at}::timestamptz - make_interval(secs => ${SIGNIN_THROTTLE.memorySeconds}) then 1 else ${rateLimits.count} + 1 end,
        window_start = excluded.window_start
      returning count`),
  );
  return rows[0]!.count;
}

/** Failures remembered on `key` and when the last one was (null when none, or forgotten). */
export async function failuresOf(db: Db, key: string, now = new Date()): Promise<{ count: number; lastAt: Date } | null> {
  const rows = rowsOf<{ count: number; window_start: string | Date }>(
    await db.execute(sql`select count, window_start from ${rateLimits} where key = ${key}
      and window_start > ${now.toISOString()}::timestamptz - make_interval(secs => ${SIGNIN_THROTTLE.memorySeconds})`),
  );
  const r = rows[0];
  return r ? { count: r.count, lastAt: new Date(r.window_start) } : null;
}

export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.execute(sql`delete from ${rateLimits} where key = ${key}`);
}

/** The longest window any limit uses: a counter older than it can never matter again. */
export const LONGEST_WINDOW_SECONDS = Math.max(SIGNIN_THROTTLE.memorySeconds, ...Object.values(LIMITS).map((l) => l.windowSeconds));

/**
 * Delete expired counters (every key is a fresh address or email, so the table would only grow). Returns how many
 * went. hitRateLimit calls it now and then (pruneRateLimitsSometimes); safe to call anytime.
 */
export async function pruneRateLimits(db: Db, now = new Date()): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await db.execute(sql`with d as (delete from ${rateLimits}
      where ${rateLimits.windowStart} < ${now.toISOString()}::timestamptz - make_interval(secs => ${LONGEST_WINDOW_SECONDS}) returning 1)
      select count(*)::int as n from d`),
  );
  return rows[0]?.n ?? 0;
}

let lastPrune = 0;
/** Prune at most once every ten minutes per process, after a hit (never on the request's critical path for long). */
export async function pruneRateLimitsSometimes(db: Db, now = new Date()): Promise<void> {
  if (now.getTime() - lastPrune < 10 * 60_000) return;
  lastPrune = now.getTime();
  await pruneRateLimits(db, now).catch((e: unknown) => console.error("[rate-limit] prune failed", e));
}
