import { z } from "zod";
import { listExports } from "@/db/queries/exports";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignById } from "@/lib/campaigns/access";
import { exportKindNames } from "@/lib/export/kinds";
import { EXPORT_FORMATS } from "@/lib/export/types";

const params = z.object({ id: z.string() });

// GET /api/v1/campaigns/{id}/exports – past exports (newest first) with row counts and sha256.
export const GET = apiRoute({ params }, async ({ actor, params, db }) => {
  const { campaign } = await loadCampaignById(actor, params.id, "export:create");
  return { kinds: [...exportKindNames(), "bundle"], formats: EXPORT_FORMATS, exports: await listExports(db, campaign.id) };
});
