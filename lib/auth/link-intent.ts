import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { oauthAccounts } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";

// Linking a sign-in provider from settings. A provider that does not vouch for the email address cannot be linked
// by email at sign-in (lib/auth/oauth.ts); a person signed in with their password links it explicitly instead:
// the settings action writes a short-lived signed intent cookie naming them, then starts the provider's sign-in;
// the sign-in callback links the provider account to the person the intent names, when the session is theirs.

export const LINK_COOKIE = "margin_link_intent";
const TTL_MS = 10 * 60_000;

function secret(): string {
  const s = process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET;
  if (!s) throw new Error("AUTH_SECRET is not set");
  return s;
}

const mac = (payload: string, key: string) => createHmac("sha256", key).update(`link-intent:${payload}`).digest("base64url");

/** A signed intent for `userId` to link `provider`, valid for ten minutes. */
export function signLinkIntent(userId: string, provider: string, now = Date.now(), key = secret()): string {
  const payload = `${userId}.${provider}.${now + TTL_MS}`;
  return `${payload}.${mac(payload, key)}`;
}

/** The intent's user and provider when its signature holds and it has not expired; null otherwise. */
export function readLinkIntent(token: string | undefined, now = Date.now(), key = secret()): { userId: string; provider: string } | null {
  if (!token) return null;
  const parts = token.split(".");
  if (parts.length !== 4) return null;
  const [userId, provider, exp, sig] = parts as [string, string, string, string];
  const expected = Buffer.from(mac(`${userId}.${provider}.${exp}`, key));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  if (!(Number(exp) > now)) return null;
  return { userId, provider };
}

/**
 * Link a provider account to a Margin user who asked for it from settings. An account already linked to this user
 * is fine (nothing to do); one linked to someone else is refused (it signs that person in).
 */
export async function linkProviderAccount(db: Db, input: { userId: string; provider: string; providerAccountId: string; ip?: string | null }): Promise<void> {
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ userId: oauthAccounts.userId })
      .from(oauthAccounts)
      .where(and(eq(oauthAccounts.provider, input.provider), eq(oauthAccounts.providerAccountId, input.providerAccountId)));
    if (existing?.userId === input.userId) return;
    if (existing) throw new AppError("conflict", "That provider account already signs in another Margin account");
    await tx.insert(oauthAccounts).values({ provider: input.provider, providerAccountId: input.providerAccountId, userId: input.userId });
    await recordAudit(tx, { actorId: input.userId, action: "auth.oauth_link", targetType: "user", targetId: input.userId, ip: input.ip, details: { provider: input.provider, from: "settings" } });
  });
}
