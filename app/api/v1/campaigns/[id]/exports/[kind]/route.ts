import { z } from "zod";
import { apiRoute, parseOrThrow } from "@/lib/api/route";
import { loadCampaignById } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";
import { downloadResponse } from "@/lib/export/http";
import { exportKind, exportKindNames } from "@/lib/export/kinds";
import { streamBundleExport, streamKindExport } from "@/lib/export/service";
import { EXPORT_FORMATS, type ExportFormat } from "@/lib/export/types";
import { reportParamsSchema } from "@/lib/report/params";

const params = z.object({ id: z.string(), kind: z.string() });

// Node runtime (temp files for Parquet and bundles) and never cached: every download re-reads the database.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// GET /api/v1/campaigns/{id}/exports/{items|judgments|report|design|bundle}?format=csv|jsonl|parquet[&cuts&minN&ref&run]
// – streamed export with Content-Disposition; recorded in `exports` and audited as export.create (auditors and
// researchers). The report parameters are those of GET …/report; the manifest records them and the run used.
export const GET = apiRoute({ params }, async ({ req, actor, params, ip }) => {
  const { campaign } = await loadCampaignById(actor, params.id, "export:create");
  const url = new URL(req.url);
  const format = url.searchParams.get("format") ?? "csv";
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new AppError("bad_request", `Unknown format "${format.slice(0, 20)}". Accepted: ${EXPORT_FORMATS.join(", ")}`, { field: "format", accepted: EXPORT_FORMATS });
  }
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  // Report parameters (report, design and bundle): the same query as GET …/report, so an export carries the report shown.
  const rp = parseOrThrow(reportParamsSchema, { cuts: q("cuts"), minN: q("minN"), ref: q("ref"), run: q("run") }, "query");
  const report = { cuts: rp.cuts, minN: rp.minN, reference: rp.ref, ...(rp.run ? { run: rp.run } : {}) };
  const request = { campaign, requesterId: actor!.id, ip, format: format as ExportFormat, report };
  if (params.kind === "bundle") return downloadResponse(await streamBundleExport(request));
  const kind = exportKind(params.kind);
  if (!kind) throw new AppError("not_found", `Unknown export kind. Available: ${[...exportKindNames(), "bundle"].join(", ")}`);
  return downloadResponse(await streamKindExport(request, kind));
});
