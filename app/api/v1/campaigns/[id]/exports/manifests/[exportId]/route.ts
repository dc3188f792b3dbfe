import { z } from "zod";
import { findExport } from "@/db/queries/exports";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignById } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";
import { attachment } from "@/lib/export/http";

const params = z.object({ id: z.string(), exportId: z.string() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// GET /api/v1/campaigns/{id}/exports/manifests/{exportId} – the manifest JSON of one finished export.
// An export of another campaign is not found (the lookup is scoped by the campaign id).
export const GET = apiRoute({ params }, async ({ actor, params, db }) => {
  const { campaign } = await loadCampaignById(actor, params.id, "export:create");
  const row = UUID.test(params.exportId) ? await findExport(db, campaign.id, params.exportId) : null;
  if (!row) throw new AppError("not_found", "Export not found");
  if (!row.manifest) throw new AppError("conflict", "This export did not finish (the download was interrupted); export again");
  return new Response(`${JSON.stringify(row.manifest, null, 2)}\n`, {
    headers: { "content-type": "application/json; charset=utf-8", "content-disposition": attachment(`${campaign.slug}-${row.kind}-manifest-${row.id.slice(0, 8)}.json`), "cache-control": "no-store" },
  });
});
