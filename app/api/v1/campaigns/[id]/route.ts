import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";
import { updateCampaign } from "@/lib/campaigns/manage";
import { scheduleRouting } from "@/lib/routing/schedule";
import { campaignUpdateSchema } from "@/lib/validation/campaign-input";

const params = z.object({ id: z.string().min(1).max(100) });

// GET /api/v1/campaigns/{id} – the campaign's settings (owners, researchers, auditors).
export const GET = apiRoute({ params }, async ({ actor, params }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "judge:read");
  return { campaign };
});

// PATCH /api/v1/campaigns/{id} – edit settings or move status; a policy change re-routes the items.
export const PATCH = apiRoute({ params, body: campaignUpdateSchema }, async ({ db, actor, params, body, ip }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "campaign:edit");
  const result = await updateCampaign(db, campaign.id, body, { actorId: actor!.id, ip });
  const tailInputsChanged = body.tailMethod !== undefined || body.stratificationKey !== undefined;
  const routing = result.policyChanged || tailInputsChanged ? await scheduleRouting(db, campaign.id, actor!.id) : null;
  return { campaign: result.campaign, routing };
});
