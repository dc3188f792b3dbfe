import { and, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { campaignMembers, type Campaign } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import type { MemberRole } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";

/**
 * Join a public campaign as an annotator. Invite-only campaigns are joined through an invitation, never
 * here. Joining twice is a no-op; someone who already holds another role keeps it.
 */
export async function joinCampaign(
  db: Db,
  campaign: Pick<Campaign, "id" | "visibility" | "status">,
  userId: string,
  memberRole: MemberRole | null,
): Promise<{ joined: boolean }> {
  if (memberRole !== null) return { joined: false };
  if (campaign.visibility !== "public") throw new AppError("forbidden", "This campaign is invite-only.");
  if (campaign.status === "draft" || campaign.status === "closed") {
    throw new AppError("conflict", `This campaign is ${campaign.status}; it cannot be joined now.`);
  }
  return db.transaction(async (tx) => {
    const rows = await tx
      .insert(campaignMembers)
      .values({ campaignId: campaign.id, userId, role: "annotator" })
      .onConflictDoNothing()
      .returning({ userId: campaignMembers.userId });
    if (rows.length === 0) return { joined: false };
    await recordAudit(tx, { actorId: userId, action: "membership.join", targetType: "user", targetId: userId, campaignId: campaign.id, details: { role: "annotator" } });
    return { joined: true };
  });
}

/**
 * A researcher leaves a contributor's judgments out of (or back in) reports, e.g. after poor gold accuracy.
 * Only annotators of this campaign can be excluded; the change is audited.
 */
export async function setExcludedFromReports(db: Db, campaignId: string, actorId: string, userId: string, excluded: boolean): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(campaignMembers)
      .set({ excludedFromReports: excluded })
      .where(and(eq(campaignMembers.campaignId, campaignId), eq(campaignMembers.userId, userId), eq(campaignMembers.role, "annotator")))
      .returning({ userId: campaignMembers.userId });
    if (rows.length === 0) throw new AppError("not_found", "No such contributor in this campaign.");
    await recordAudit(tx, {
      actorId,
      action: excluded ? "membership.exclude" : "membership.include",
      targetType: "user",
      targetId: userId,
      campaignId,
      details: { excludedFromReports: excluded },
    });
  });
}
