import { desc, eq } from "drizzle-orm";
import { z } from "zod";
import { routingRuns } from "@/db/schema";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";
import { routingStatus, scheduleRouting } from "@/lib/routing/schedule";

const params = z.object({ id: z.string().min(1).max(100) });

// GET /api/v1/campaigns/{id}/routing – background routing state and progress (the job_states row, the same on every
// instance), plus the last recorded run.
export const GET = apiRoute({ params }, async ({ db, actor, params }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "judge:read");
  const [lastRun] = await db.select().from(routingRuns).where(eq(routingRuns.campaignId, campaign.id)).orderBy(desc(routingRuns.createdAt)).limit(1);
  return { status: await routingStatus(db, campaign.id), lastRun: lastRun ?? null };
});

// POST /api/v1/campaigns/{id}/routing – recompute tail scores and re-route now (in the background).
export const POST = apiRoute({ params }, async ({ db, actor, params }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "campaign:edit");
  const scheduled = await scheduleRouting(db, campaign.id, actor!.id);
  return Response.json({ scheduled }, { status: 202 });
});
