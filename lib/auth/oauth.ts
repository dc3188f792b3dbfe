import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { oauthAccounts, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { claimInvites } from "@/lib/campaigns/invites";

/**
 * Map an OAuth identity to a Margin user: an existing link wins; otherwise a user with the same (provider-
 * verified) email is linked; otherwise a new contributor is created. Returns our user id.
 */
export async function linkOAuthUser(
  db: Db,
  input: { provider: string; providerAccountId: string; email: string | null | undefined; name: string | null | undefined },
): Promise<string | null> {
  const [linked] = await db
    .select({ userId: oauthAccounts.userId })
    .from(oauthAccounts)
    .innerJoin(users, eq(users.id, oauthAccounts.userId))
    .where(and(eq(oauthAccounts.provider, input.provider), eq(oauthAccounts.providerAccountId, input.providerAccountId), isNull(users.deletedAt)));
  if (linked) return linked.userId;
  const email = input.email?.trim().toLowerCase();
  if (!email) return null;
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id, deletedAt: users.deletedAt }).from(users).where(eq(users.email, email));
    if (existing?.deletedAt) return null;
    const userId =
      existing?.id ??
      (await tx.insert(users).values({ email, name: input.name?.trim() || email.split("@")[0]!, role: "contributor" }).returning({ id: users.id }))[0]!.id;
    await tx.insert(oauthAccounts).values({ provider: input.provider, providerAccountId: input.providerAccountId, userId });
    await recordAudit(tx, { actorId: userId, action: existing ? "auth.oauth_linked" : "user.signup", targetType: "user", targetId: userId, details: { provider: input.provider } });
    await claimInvites(tx, userId, email);
    return userId;
  });
}
