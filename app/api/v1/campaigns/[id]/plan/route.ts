import { z } from "zod";
import { campaignSlugById } from "@/db/queries/report";
import { apiRoute, parseOrThrow } from "@/lib/api/route";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";
import { planCampaign, planQuerySchema } from "@/lib/report/plan";

export const dynamic = "force-dynamic";

// GET /api/v1/campaigns/{id}/plan?halfWidth=0.05&biasHalfWidth=0.1 – the budget planner (docs/api-report.md); report:read.
export const GET = apiRoute({ params: z.object({ id: z.uuid() }) }, async ({ req, db, actor, params }) => {
  const slug = await campaignSlugById(db, params.id);
  if (!slug) throw new AppError("not_found", "Campaign not found");
  const { campaign } = await loadCampaign(actor, slug, "report:read");
  const url = new URL(req.url);
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  const query = parseOrThrow(planQuerySchema, { halfWidth: q("halfWidth"), biasHalfWidth: q("biasHalfWidth") }, "query");
  const plan = await planCampaign(db, campaign, query);
  return Response.json(plan, { headers: { "cache-control": "private, no-store" } });
});
