import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { browseItemsJson } from "@/lib/browse/api";
import { loadCampaignByRef } from "@/lib/campaigns/by-id";
import { AppError } from "@/lib/errors";
import { detectFormat, maxUploadBytes } from "@/lib/ingest/formats";
import { importItems } from "@/lib/ingest/import-items";
import { scheduleRouting } from "@/lib/routing/schedule";

const params = z.object({ id: z.string().min(1).max(100) });
// Import modes, any case: partial writes the good rows and reports the bad ones; all-or-nothing writes nothing unless every row is good.
const IMPORT_MODES = new Map([["partial", false], ["all-or-nothing", true], ["all_or_nothing", true], ["atomic", true]]);

// POST /api/v1/campaigns/{id}/items – stream items in (JSONL, CSV or a JSON array; see docs/api.md).
// Query: ?mode=all-or-nothing to write nothing unless every row is valid; ?filename= for the import record.
export const POST = apiRoute({ params }, async ({ req, db, actor, params, ip }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "campaign:edit");
  if (campaign.status === "closed") throw new AppError("conflict", "This campaign is closed; no more items can be imported");
  const url = new URL(req.url);
  const filename = url.searchParams.get("filename")?.slice(0, 255) ?? null;
  const format = detectFormat(req.headers.get("content-type"), filename);
  const max = maxUploadBytes();
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw new AppError("too_large", `The file is over the ${Math.round(max / 1048576)} MB limit; nothing was imported.`);
  if (!req.body) throw new AppError("bad_request", "Empty body: nothing to import");
  const mode = (url.searchParams.get("mode") ?? "partial").toLowerCase();
  if (!IMPORT_MODES.has(mode)) {
    throw new AppError("bad_request", `Unknown mode "${mode.slice(0, 40)}". Accepted: partial (default) or all-or-nothing.`, { field: "mode" });
  }
  const body = Readable.fromWeb(req.body as unknown as NodeReadableStream<Uint8Array>);
  const summary = await importItems(db, campaign, body, {
    format,
    filename,
    allOrNothing: IMPORT_MODES.get(mode)!,
    actorId: actor!.id,
    apiKeyId: actor!.apiKeyId ?? null,
    ip,
    maxBytes: max,
  });
  // New or changed items, and new prior labels (which enter the design as such), need a routing run.
  const changed = summary.rowsNew + summary.rowsUpdated + summary.ratingsWritten > 0;
  const wrote = summary.status === "succeeded" || summary.status === "partial";
  const routing = wrote && changed ? await scheduleRouting(db, campaign.id, actor!.id) : null;
  const report = `/api/v1/campaigns/${campaign.id}/imports/${summary.importId}/errors`;
  // 201 when rows went in (every row: succeeded; some: partial), 422 when nothing did (failed, empty).
  return Response.json({ import: { ...summary, errors: summary.errors.slice(0, 100), warnings: summary.warnings.slice(0, 100), errorReport: report }, routing }, { status: wrote ? 201 : 422 });
});

// GET /api/v1/campaigns/{id}/items – the item browser's list (docs/item-browser.md): facets as query parameters, a
// keyset page (limit, cursor → next_cursor); 400 naming an unknown facet or sort key or another filter's cursor.
// judge:read (the rows carry the judge's verdict: never for annotators).
export const GET = apiRoute({ params }, async ({ req, db, actor, params }) => {
  const { campaign } = await loadCampaignByRef(actor, params.id, "judge:read");
  return Response.json(await browseItemsJson(db, campaign, new URL(req.url).searchParams), { headers: { "cache-control": "private, no-store" } });
});
