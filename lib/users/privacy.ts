import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { apiKeys, assignments, campaignInvites, campaignMembers, campaigns, flags, items, judgments, oauthAccounts, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";

/** Everything Margin holds about one person, as JSON (the "download my data" button). */
export async function exportMyData(db: Db, userId: string) {
  const [account] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, languages: users.languages, region: users.region, createdAt: users.createdAt })
    .from(users)
    .where(eq(users.id, userId));
  if (!account) throw new AppError("not_found", "Account not found");
  const [memberships, myJudgments, keys, oauth, myFlags] = await Promise.all([
    db.select({ campaign: campaigns.slug, role: campaignMembers.role, joinedAt: campaignMembers.createdAt }).from(campaignMembers).innerJoin(campaigns, eq(campaigns.id, campaignMembers.campaignId)).where(eq(campaignMembers.userId, userId)),
    db
      .select({ campaign: campaigns.slug, itemExternalId: items.externalId, value: judgments.value, rationale: judgments.rationale, timeTakenMs: judgments.timeTakenMs, guidelinesVersion: judgments.guidelinesVersion, createdAt: judgments.createdAt, updatedAt: judgments.updatedAt })
      .from(judgments)
      .innerJoin(items, eq(items.id, judgments.itemId))
      .innerJoin(campaigns, eq(campaigns.id, judgments.campaignId))
      .where(eq(judgments.annotatorId, userId))
      .orderBy(asc(judgments.id)),
    db.select({ name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.userId, userId)),
    db.select({ provider: oauthAccounts.provider, linkedAt: oauthAccounts.createdAt }).from(oauthAccounts).where(eq(oauthAccounts.userId, userId)),
    db.select({ campaign: campaigns.slug, itemExternalId: items.externalId, reason: flags.reason, note: flags.note, createdAt: flags.createdAt }).from(flags).innerJoin(items, eq(items.id, flags.itemId)).innerJoin(campaigns, eq(campaigns.id, flags.campaignId)).where(eq(flags.userId, userId)),
  ]);
  return { exportedAt: new Date().toISOString(), account, memberships, judgments: myJudgments, flags: myFlags, apiKeys: keys, oauth };
}

/**
 * Delete an account: the person's identifying fields go, their work stays. The users row is kept with its id
 * (judgments reference it, and exports name it only by a per-campaign HMAC pseudonym), so every published report
 * stays reproducible. Email becomes deleted-<uuid>@invalid (unique, undeliverable), name "Deleted contributor",
 * password hash, languages and region are cleared, API keys, OAuth links, pending invites and live leases go.
 */
export async function deleteAccount(db: Db, input: { userId: string; ip?: string | null }): Promise<void> {
  await db.transaction(async (tx) => {
    const [user] = await tx.select({ role: users.role, email: users.email, deletedAt: users.deletedAt }).from(users).where(eq(users.id, input.userId)).for("update");
    if (!user || user.deletedAt) throw new AppError("not_found", "Account not found");
    if (user.role === "admin") throw new AppError("conflict", "Admins cannot delete their own account; ask another admin to change your role first");
    await tx
      .update(users)
      .set({ email: `deleted-${randomUUID()}@invalid`, name: "Deleted contributor", passwordHash: null, languages: [], region: null, deletedAt: new Date(), updatedAt: new Date(), sessionVersion: sql`${users.sessionVersion} + 1` })
      .where(eq(users.id, input.userId));
    await tx.delete(apiKeys).where(eq(apiKeys.userId, input.userId));
    await tx.delete(oauthAccounts).where(eq(oauthAccounts.userId, input.userId));
    await tx.delete(campaignInvites).where(eq(campaignInvites.email, user.email));
    await tx.execute(sql`delete from rate_limits where key = ${`signin:fail:${user.email}`}`);
    // Live leases go back to the pool at once instead of waiting for expiry.
    await tx.update(assignments).set({ status: "expired", finishedAt: new Date() }).where(and(eq(assignments.annotatorId, input.userId), eq(assignments.status, "leased")));
    await recordAudit(tx, { actorId: input.userId, action: "user.delete", targetType: "user", targetId: input.userId, ip: input.ip, details: { judgmentsKept: true } });
  });
}
