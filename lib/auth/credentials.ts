import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { dummyPasswordHash, verifyPassword } from "./password";
import { LIMITS, clearRateLimit, hitRateLimit, isOverLimit } from "./rate-limit";

export type AuthenticatedUser = { id: string; name: string; email: string };
export type AuthResult = { ok: true; user: AuthenticatedUser } | { ok: false; reason: "invalid" | "locked" | "rate_limited" };

/**
 * Email + password check with abuse limits. Unknown email and wrong password cost the same scrypt and give
 * the same answer. Failures are counted per account key (whether or not the account exists, so a lockout
 * reveals nothing) and all attempts per IP; both counters live in Postgres and hold across app instances.
 */
export async function authenticate(
  db: Db,
  emailRaw: string,
  password: string,
  ctx: { ip?: string | null; now?: Date } = {},
): Promise<AuthResult> {
  const email = emailRaw.trim().toLowerCase();
  const now = ctx.now ?? new Date();
  const ip = ctx.ip ?? "unknown";
  const ipHit = await hitRateLimit(db, `signin:ip:${ip}`, LIMITS.signInPerIp, now);
  if (!ipHit.allowed) return { ok: false, reason: "rate_limited" };
  const accountKey = `signin:fail:${email}`;
  if (await isOverLimit(db, accountKey, LIMITS.signInFailuresPerAccount, now)) {
    await recordAudit(db, { actorId: null, action: "auth.signin_locked", targetType: "email", targetId: email, ip });
    return { ok: false, reason: "locked" };
  }
  if (!email || !password || password.length > 1024) return { ok: false, reason: "invalid" };
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.email, email), isNull(users.deletedAt)));
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !user.passwordHash || !ok) {
    await hitRateLimit(db, accountKey, LIMITS.signInFailuresPerAccount, now);
    await recordAudit(db, { actorId: null, action: "auth.signin_failed", targetType: "email", targetId: email, ip });
    return { ok: false, reason: "invalid" };
  }
  await clearRateLimit(db, accountKey);
  return { ok: true, user: { id: user.id, name: user.name, email: user.email } };
}
