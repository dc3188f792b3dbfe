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
  // Failed sign-ins per account before it is locked for the rest of the window.
  signInFailuresPerAccount: { limit: 5, windowSeconds: 15 * 60 },
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

/** Peek without counting (used to refuse a locked account before checking its password). */
export async function isOverLimit(db: Db, key: string, l: Limit, now = new Date()): Promise<boolean> {
  const rows = rowsOf<{ count: number }>(
    await db.execute(sql`select count from ${rateLimits} where key = ${key}
      and window_start > ${now.toISOString()}::timestamptz - make_interval(secs => ${l.windowSeconds})`),
  );
  return (rows[0]?.count ?? 0) >= l.limit;
}

export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.execute(sql`delete from ${rateLimits} where key = ${key}`);
}

/** The longest window any limit uses: a counter older than it can never matter again. */
export const LONGEST_WINDOW_SECONDS = Math.max(...Object.values(LIMITS).map((l) => l.windowSeconds));

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
