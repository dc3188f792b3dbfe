import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { oauthAccounts, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { claimInvites } from "@/lib/campaigns/invites";

/**
 * Map an OAuth identity to a Margin user: an existing link wins; otherwise, when the provider asserts that its user
 * owns the email address, a user with that email is linked (or a new contributor created, claiming the invitations
 * sent to it). Without that assertion an email proves nothing — anyone can type an address into some providers —
 * so nothing is linked or created: the answer is null and sign-in says to use the password. Returns our user id.
 */
export async function linkOAuthUser(
  db: Db,
  input: { provider: string; providerAccountId: string; email: string | null | undefined; name: string | null | undefined; emailVerified: boolean },
): Promise<string | null> {
  const [linked] = await db
    .select({ userId: oauthAccounts.userId })
    .from(oauthAccounts)
    .innerJoin(users, eq(users.id, oauthAccounts.userId))
    .where(and(eq(oauthAccounts.provider, input.provider), eq(oauthAccounts.providerAccountId, input.providerAccountId), isNull(users.deletedAt)));
  if (linked) return linked.userId;
  const email = input.email?.trim().toLowerCase();
  if (!email || !input.emailVerified) return null;
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id, deletedAt: users.deletedAt }).from(users).where(eq(users.email, email));
    if (existing?.deletedAt) return null;
    const userId =
      existing?.id ??
      (await tx.insert(users).values({ email, name: input.name?.trim() || email.split("@")[0]!, role: "contributor" }).returning({ id: users.id }))[0]!.id;
    await tx.insert(oauthAccounts).values({ provider: input.provider, providerAccountId: input.providerAccountId, userId });
    await recordAudit(tx, { actorId: userId, action: existing ? "auth.oauth_link" : "user.signup", targetType: "user", targetId: userId, details: { provider: input.provider } });
    await claimInvites(tx, userId, email);
    return userId;
  });
}

/**
 * Whether the provider asserts that the signed-in user owns `email`. Google (OpenID Connect) says so in the ID
 * token's `email_verified`; GitHub says so per address in /user/emails (its profile's email may be unverified).
 */
export async function providerVerifiedEmail(
  provider: string,
  email: string | null | undefined,
  profile: Record<string, unknown> | undefined,
  accessToken: string | undefined,
  fetcher: typeof fetch = fetch,
): Promise<boolean> {
  if (!email) return false;
  if (provider === "github") {
    if (!accessToken) return false;
    try {
      const res = await fetcher("https://api.github.com/user/emails", { headers: { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json" } });
      if (!res.ok) return false;
      const list = (await res.json()) as { email?: string; verified?: boolean }[];
      return Array.isArray(list) && list.some((e) => e.verified === true && e.email?.toLowerCase() === email.toLowerCase());
    } catch {
      return false;
    }
  }
  return profile?.email_verified === true || profile?.email_verified === "true";
}
