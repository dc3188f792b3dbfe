import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { itemDetailJson } from "@/lib/browse/api";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";

const params = z.object({ id: z.string().min(1).max(100), itemId: z.string().min(1).max(500) });

// GET /api/v1/campaigns/{id}/items/{itemId} – one item (by external id, else numeric id) with the judge's verdict,
// every rating under its rater's pseudonym, inclusion records, versions and flags (docs/item-browser.md); judge:read.
export const GET = apiRoute({ params }, async ({ db, actor, params }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "judge:read");
  return Response.json(await itemDetailJson(db, campaign, params.itemId), { headers: { "cache-control": "private, no-store" } });
});
