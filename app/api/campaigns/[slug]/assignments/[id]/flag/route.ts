import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { assignNextItem } from "@/lib/assign/assign-next";
import { flagBody } from "@/lib/assign/judge-input";
import { flagAssignment } from "@/lib/assign/submit";
import { loadForWork } from "@/lib/assign/work-access";
import { prefetchCampaignBySlug } from "@/lib/campaigns/access";

// POST /api/campaigns/:slug/assignments/:id/flag – flag a leased item for the researchers (releases it); answers with the next item
export const POST = apiRoute(
  { prefetch: prefetchCampaignBySlug, params: z.object({ slug: z.string().max(200), id: z.coerce.number().int().positive() }), body: flagBody, maxBodyBytes: 4_000 },
  async ({ db, actor, params, body, prefetched }) => {
    const { campaign } = await loadForWork(actor, params.slug, prefetched);
    await flagAssignment(db, campaign, actor!.id, params.id, body);
    return { next: await assignNextItem(db, campaign, actor!.id) };
  },
);
