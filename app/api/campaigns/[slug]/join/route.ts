import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { loadCampaign } from "@/lib/campaigns/access";
import { joinCampaign } from "@/lib/campaigns/membership";
import { AppError } from "@/lib/errors";

// POST /api/campaigns/:slug/join – join a public campaign as an annotator
export const POST = apiRoute({ params: z.object({ slug: z.string().max(200) }) }, async ({ db, actor, params }) => {
  if (!actor) throw new AppError("unauthorized", "Sign in to join.");
  const { campaign, memberRole } = await loadCampaign(actor, params.slug, "campaign:view");
  return joinCampaign(db, campaign, actor.id, memberRole);
});
