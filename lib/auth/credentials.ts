import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { dummyPasswordHash, verifyPassword } from "./password";
import { LIMITS, accountSlowdownMs, clearRateLimit, failuresOf, hitRateLimit, recordFailure, signInDelaySeconds } from "./rate-limit";

export type AuthenticatedUser = { id: string; name: string; email: string };
export type AuthResult =
  | { ok: true; user: AuthenticatedUser }
  | { ok: false; reason: "invalid" | "rate_limited" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Email + password check with abuse limits. Unknown email and wrong password cost the same scrypt and give
 * the same answer. Every attempt counts against the address (a fixed window, LIMITS.signInPerIp). Failures
 * slow further attempts down (SIGNIN_THROTTLE in rate-limit.ts): per account and address with growing waits,
 * per account with a bounded delay on every answer; an account is never locked, so nobody can lock its owner
 * out. Failures are counted for unknown emails too (the answers reveal nothing); all counters live in Postgres
 * and hold across app instances.
 */
export async function authenticate(
  db: Db,
  emailRaw: string,
  password: string,
  ctx: { ip?: string | null; now?: Date; sleep?: (ms: number) => Promise<void> } = {},
): Promise<AuthResult> {
  const email = emailRaw.trim().toLowerCase();
  const now = ctx.now ?? new Date();
  const ip = ctx.ip ?? "unknown";
  const ipHit = await hitRateLimit(db, `signin:ip:${ip}`, LIMITS.signInPerIp, now);
  if (!ipHit.allowed) return { ok: false, reason: "rate_limited" };
  const pairKey = `signin:fail:${email}|${ip}`;
  const accountKey = `signin:acct:${email}`;
  const pair = await failuresOf(db, pairKey, now);
  if (pair) {
    const readyAt = pair.lastAt.getTime() + signInDelaySeconds(pair.count) * 1000;
    if (readyAt > now.getTime()) {
      await recordAudit(db, { actorId: null, action: "auth.signin_throttle", targetType: "email", targetId: email, ip, details: { failures: pair.count } });
      return { ok: false, reason: "throttled", retryAfterSeconds: Math.ceil((readyAt - now.getTime()) / 1000) };
    }
  }
  if (!email || !password || password.length > 1024) return { ok: false, reason: "invalid" };
  const slow = accountSlowdownMs((await failuresOf(db, accountKey, now))?.count ?? 0);
  if (slow > 0) await (ctx.sleep ?? sleep)(slow);
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.email, email), isNull(users.deletedAt)));
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !user.passwordHash || !ok) {
    await recordFailure(db, pairKey, now);
    await recordFailure(db, accountKey, now);
    await recordAudit(db, { actorId: null, action: "auth.signin_fail", targetType: "email", targetId: email, ip });
    return { ok: false, reason: "invalid" };
  }
  // The owner is in: forget the failures (an attacker without the password cannot clear them).
  await clearRateLimit(db, pairKey);
  await clearRateLimit(db, accountKey);
  return { ok: true, user: { id: user.id, name: user.name, email: user.email } };
}
