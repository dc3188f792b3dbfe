import { getDb } from "@/db";
import { findCampaignBySlug } from "@/db/queries/campaigns";
import { AppError } from "@/lib/errors";
import { can, type Actor, type CampaignAccess, type Permission } from "@/lib/auth/permissions";

/**
 * Load a campaign for an actor and check a permission. A campaign the actor may not even view is reported
 * as not found (its existence is not leaked); one they can view but not act on is forbidden; an anonymous
 * caller who needs to sign in gets unauthorized.
 */
export async function loadCampaign(actor: Actor, slug: string, permission: Permission = "campaign:view") {
  const db = await getDb();
  const row = await findCampaignBySlug(db, slug, actor?.id ?? null);
  if (!row) throw new AppError("not_found", "Campaign not found");
  const access: CampaignAccess = {
    visibility: row.campaign.visibility,
    status: row.campaign.status,
    ownerId: row.campaign.ownerId,
    memberRole: row.memberRole,
  };
  if (!can(actor, "campaign:view", access)) throw new AppError("not_found", "Campaign not found");
  if (!can(actor, permission, access)) {
    throw actor ? new AppError("forbidden", "You do not have access to this") : new AppError("unauthorized", "Sign in to continue");
  }
  return { campaign: row.campaign, memberRole: row.memberRole, access };
}
