import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";
import { closeFlag, flagDecisionSchema } from "@/lib/campaigns/flags";

const params = z.object({ id: z.string().min(1).max(100), flagId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });

// PATCH /api/v1/campaigns/{id}/flags/{flagId} – resolve or dismiss an open flag (campaign:edit); audited as flag.resolve
export const PATCH = apiRoute({ params, body: flagDecisionSchema, maxBodyBytes: 4_000 }, async ({ db, actor, params, body, ip }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "campaign:edit");
  const flag = await closeFlag(db, campaign.id, params.flagId, body, { actorId: actor!.id, ip });
  return { flag };
});
