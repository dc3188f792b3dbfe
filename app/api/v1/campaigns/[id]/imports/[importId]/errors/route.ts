import { stringify } from "csv-stringify/sync";
import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";
import { getImport } from "@/lib/ingest/import-items";

const params = z.object({ id: z.string().min(1).max(100), importId: z.uuid() });

// GET /api/v1/campaigns/{id}/imports/{importId}/errors – the rejected rows as CSV (line, external_id, reason).
export const GET = apiRoute({ params }, async ({ db, actor, params }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "campaign:edit");
  const rec = await getImport(db, campaign.id, params.importId);
  // Cells starting with = + - @ would run as formulas in a spreadsheet: prefix them with a quote.
  const safe = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
  const csv = stringify([["line", "external_id", "reason"], ...rec.errors.map((e) => [String(e.line), safe(e.externalId ?? ""), safe(e.reason)])]);
  return new Response(csv, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="import-${rec.id}-errors.csv"` },
  });
});
