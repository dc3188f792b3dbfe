import { can } from "@/lib/auth/permissions";
import { apiRoute } from "@/lib/api/route";
import { createCampaign } from "@/lib/campaigns/manage";
import { AppError } from "@/lib/errors";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";

// POST /api/v1/campaigns – create a draft campaign (global researchers and admins).
export const POST = apiRoute({ body: campaignCreateSchema }, async ({ db, actor, body, ip }) => {
  if (!can(actor, "campaign:create")) throw new AppError("forbidden", "Only researchers can create campaigns");
  const campaign = await createCampaign(db, body, { actorId: actor!.id, ip });
  return Response.json({ campaign }, { status: 201 });
});
