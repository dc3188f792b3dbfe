import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { assignNextItem } from "@/lib/assign/assign-next";
import { loadForWork } from "@/lib/assign/work-access";

// POST /api/campaigns/:slug/assignments/next – lease the next item (or return the live lease); blind fields only
export const POST = apiRoute({ params: z.object({ slug: z.string().max(200) }) }, async ({ db, actor, params }) => {
  const { campaign } = await loadForWork(actor, params.slug);
  return { item: await assignNextItem(db, campaign, actor!.id) };
});
