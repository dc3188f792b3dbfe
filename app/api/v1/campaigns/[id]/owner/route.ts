import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { can } from "@/lib/auth/permissions";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";
import { reassignOwner } from "@/lib/campaigns/ownership";
import { AppError } from "@/lib/errors";

const params = z.object({ id: z.string().min(1).max(100) });
const body = z.object({ userId: z.uuid({ error: "A user id (uuid)" }) });

// PUT /api/v1/campaigns/{id}/owner – an admin hands the campaign to another researcher; the previous owner stays
// as a campaign auditor.
export const PUT = apiRoute({ params, body, maxBodyBytes: 2_000 }, async ({ db, actor, params, body, ip }) => {
  if (!can(actor, "admin:users")) throw new AppError("forbidden", "Only an admin can hand a campaign to another owner");
  const { campaign } = await loadCampaignByRef(actor, params.id, "campaign:view");
  const { previousOwnerId } = await reassignOwner(db, { campaignId: campaign.id, userId: body.userId, actorId: actor!.id, ip });
  return { campaignId: campaign.id, ownerId: body.userId, previousOwnerId };
});
