import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { loadCampaign } from "@/lib/campaigns/access";
import { setExcludedFromReports } from "@/lib/campaigns/membership";

// PUT /api/campaigns/:slug/contributors/:userId/exclusion – leave a contributor's judgments out of reports (or back in)
export const PUT = apiRoute(
  { params: z.object({ slug: z.string().max(200), userId: z.uuid() }), body: z.object({ excludedFromReports: z.boolean() }) },
  async ({ db, actor, params, body }) => {
    const { campaign } = await loadCampaign(actor, params.slug, "campaign:edit");
    await setExcludedFromReports(db, campaign.id, actor!.id, params.userId, body.excludedFromReports);
    return { ok: true };
  },
);
