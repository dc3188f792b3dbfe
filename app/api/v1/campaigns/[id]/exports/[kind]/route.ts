import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignById } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";
import { downloadResponse } from "@/lib/export/http";
import { exportKind, exportKindNames } from "@/lib/export/kinds";
import { streamBundleExport, streamKindExport } from "@/lib/export/service";
import { EXPORT_FORMATS, type ExportFormat } from "@/lib/export/types";

const params = z.object({ id: z.string(), kind: z.string() });

// Node runtime (temp files for Parquet and bundles) and never cached: every download re-reads the database.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// GET /api/v1/campaigns/{id}/exports/{items|judgments|report|bundle}?format=csv|jsonl|parquet – streamed export
// with Content-Disposition; recorded in `exports` and audited as export.create (auditors and researchers).
export const GET = apiRoute({ params }, async ({ req, actor, params, ip }) => {
  const { campaign } = await loadCampaignById(actor, params.id, "export:create");
  const format = new URL(req.url).searchParams.get("format") ?? "csv";
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new AppError("bad_request", `Unknown format "${format.slice(0, 20)}". Accepted: ${EXPORT_FORMATS.join(", ")}`, { field: "format", accepted: EXPORT_FORMATS });
  }
  const request = { campaign, requesterId: actor!.id, ip, format: format as ExportFormat };
  if (params.kind === "bundle") return downloadResponse(await streamBundleExport(request));
  const kind = exportKind(params.kind);
  if (!kind) throw new AppError("not_found", `Unknown export kind. Available: ${[...exportKindNames(), "bundle"].join(", ")}`);
  return downloadResponse(await streamKindExport(request, kind));
});
