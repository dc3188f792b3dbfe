import { z } from "zod";
import { apiRoute, isDatabaseUnavailable } from "@/lib/api/route";
import { isDatabaseTimeout } from "@/lib/errors";
import { assignNextItem } from "@/lib/assign/assign-next";
import { submitJudgmentBody } from "@/lib/assign/judge-input";
import { submitJudgment } from "@/lib/assign/submit";
import { loadForWork } from "@/lib/assign/work-access";
import { prefetchCampaignBySlug } from "@/lib/campaigns/access";

// POST /api/campaigns/:slug/judgments – submit a rating for a leased item; answers with the next item
export const POST = apiRoute(
  { prefetch: prefetchCampaignBySlug, params: z.object({ slug: z.string().max(200) }), body: submitJudgmentBody, maxBodyBytes: 16_000 },
  async ({ db, actor, params, body, prefetched }) => {
    const { campaign } = await loadForWork(actor, params.slug, prefetched);
    const saved = await submitJudgment(db, campaign, actor!.id, body);
    // The judgment is stored: if the database goes away before the next lease, say so (200, nextUnavailable)
    // rather than a 503 that would claim nothing was saved. The client then asks for the next item on its own.
    try {
      return { ...saved, next: await assignNextItem(db, campaign, actor!.id) };
    } catch (e) {
      if (isDatabaseUnavailable(e) || isDatabaseTimeout(e)) return { ...saved, next: null, nextUnavailable: true };
      throw e;
    }
  },
);
