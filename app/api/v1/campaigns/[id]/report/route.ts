import { z } from "zod";
import { campaignSlugById } from "@/db/queries/report";
import { apiRoute, parseOrThrow } from "@/lib/api/route";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";
import { getReport, reportParamsSchema } from "@/lib/report";

export const dynamic = "force-dynamic";

// GET /api/v1/campaigns/{id}/report – the disagreement report as JSON (docs/api-report.md); report:read.
export const GET = apiRoute({ params: z.object({ id: z.uuid() }) }, async ({ req, db, actor, params }) => {
  const slug = await campaignSlugById(db, params.id);
  if (!slug) throw new AppError("not_found", "Campaign not found");
  // loadCampaign answers 404 for a campaign the caller cannot see, 403 when they see it but may not read reports.
  const { campaign } = await loadCampaign(actor, slug, "report:read");
  const url = new URL(req.url);
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  const query = parseOrThrow(reportParamsSchema, { cuts: q("cuts"), minN: q("minN"), ref: q("ref"), run: q("run") }, "query");
  const { report, cached, freshness } = await getReport(campaign, { cuts: query.cuts, minN: query.minN, reference: query.ref, ...(query.run ? { run: query.run } : {}) });
  // freshness (where this answer was read, db/replica.ts) is per response: a cached report carries none of its own.
  return Response.json({ ...report, freshness }, { headers: { "cache-control": "private, no-store", "x-report-cache": cached ? "hit" : "miss" } });
});
