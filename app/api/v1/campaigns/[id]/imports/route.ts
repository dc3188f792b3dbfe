import { z } from "zod";
import { recentImports } from "@/db/queries/overview";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";
import { importOutcome } from "@/lib/ingest/status";

const params = z.object({ id: z.string().min(1).max(100) });

// GET /api/v1/campaigns/{id}/imports – the campaign's last 50 imports, newest first, each with its outcome
// (succeeded, partial, failed, empty; lib/ingest/status.ts) and counts.
export const GET = apiRoute({ params }, async ({ db, actor, params }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "campaign:edit");
  const rows = await recentImports(db, campaign.id, 50);
  return Response.json({
    imports: rows.map((r) => ({
      importId: r.id,
      filename: r.filename,
      format: r.format,
      status: importOutcome(r),
      rowsTotal: r.rowsTotal,
      rowsImported: r.status === "failed" ? 0 : r.rowsTotal - r.rowsRejected,
      rowsNew: r.rowsNew,
      rowsUpdated: r.rowsUpdated,
      rowsRejected: r.rowsRejected,
      createdAt: r.createdAt.toISOString(),
      errorReport: r.rowsRejected > 0 ? `/api/v1/campaigns/${campaign.id}/imports/${r.id}/errors` : null,
    })),
  });
});
