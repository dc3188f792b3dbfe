import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { assignNextItem } from "@/lib/assign/assign-next";
import { loadForWork } from "@/lib/assign/work-access";
import { prefetchCampaignBySlug } from "@/lib/campaigns/access";

// POST /api/campaigns/:slug/assignments/next – lease the next item (or return the live lease); blind fields only
export const POST = apiRoute({ prefetch: prefetchCampaignBySlug, params: z.object({ slug: z.string().max(200) }) }, async ({ db, actor, params, prefetched }) => {
  const { campaign } = await loadForWork(actor, params.slug, prefetched);
  return { item: await assignNextItem(db, campaign, actor!.id) };
});
