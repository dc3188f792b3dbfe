import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { campaignMembers, campaigns, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";

/**
 * An admin hands a campaign to another researcher (or admin): the usual way out when its owner has left or was
 * demoted (a demoted owner keeps reading but no longer changes it, lib/auth/permissions.ts). The new owner gets
 * the owner membership; the previous owner stays as a campaign auditor (reads, never changes), so their access
 * follows the new arrangement rather than their old role. Audited.
 */
export async function reassignOwner(db: Db, input: { campaignId: string; userId: string; actorId: string; ip?: string | null }): Promise<{ previousOwnerId: string }> {
  return db.transaction(async (tx) => {
    const [c] = await tx.select({ ownerId: campaigns.ownerId }).from(campaigns).where(eq(campaigns.id, input.campaignId)).for("update");
    if (!c) throw new AppError("not_found", "Campaign not found");
    const [next] = await tx.select({ role: users.role }).from(users).where(and(eq(users.id, input.userId), isNull(users.deletedAt)));
    if (!next) throw new AppError("not_found", "No such user", { field: "userId" });
    if (next.role !== "researcher" && next.role !== "admin") throw new AppError("bad_request", "The new owner must be a researcher (or an admin): change their role first", { field: "userId" });
    if (c.ownerId === input.userId) return { previousOwnerId: c.ownerId };
    await tx.update(campaigns).set({ ownerId: input.userId }).where(eq(campaigns.id, input.campaignId));
    await tx
      .update(campaignMembers)
      .set({ role: "auditor" })
      .where(and(eq(campaignMembers.campaignId, input.campaignId), eq(campaignMembers.userId, c.ownerId), eq(campaignMembers.role, "owner")));
    await tx
      .insert(campaignMembers)
      .values({ campaignId: input.campaignId, userId: input.userId, role: "owner", invitedBy: input.actorId })
      .onConflictDoUpdate({ target: [campaignMembers.campaignId, campaignMembers.userId], set: { role: "owner" } });
    await recordAudit(tx, {
      actorId: input.actorId,
      action: "campaign.owner_change",
      targetType: "campaign",
      targetId: input.campaignId,
      campaignId: input.campaignId,
      ip: input.ip,
      details: { from: c.ownerId, to: input.userId },
    });
    return { previousOwnerId: c.ownerId };
  });
}
