// JSON of the item browser's API (docs/item-browser.md). Field names follow the import format (external_id,
// judge_score, …), so an item reads like the row it came from.
import type { Db } from "@/db";
import type { BrowseRow } from "@/db/queries/browse";
import type { Campaign } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { loadItemView } from "./detail";
import { browseCampaign, browseItemsStrict, browseSearch } from "./index";

type CampaignRef = Pick<Campaign, "id" | "slug" | "rubric" | "stratificationKey" | "consensus">;

export const itemPath = (slug: string, externalId: string) => `/campaigns/${encodeURIComponent(slug)}/items/${encodeURIComponent(externalId)}`;

function rowJson(slug: string, r: BrowseRow) {
  return {
    id: r.id,
    external_id: r.externalId,
    group: r.group,
    input_preview: r.inputPreview,
    tail_score: r.tailScore,
    inclusion_prob: r.inclusionProb,
    route_reason: r.routeReason,
    routed: r.routed,
    gold: r.gold,
    judge_score: r.judgeScore,
    judge_confidence: r.judgeConfidence,
    judgment_count: r.judgmentCount,
    ratings: r.ratings,
    consensus: r.consensus,
    agree: r.agree,
    open_flags: r.openFlags,
    flags: r.flags,
    version: r.version,
    updated_at: r.updatedAt,
    url: itemPath(slug, r.externalId),
  };
}

/** GET /api/v1/campaigns/{id}/items: one page under the query string's filter, or a 400 naming the bad parameter. */
export async function browseItemsJson(db: Db, campaign: CampaignRef, search: URLSearchParams) {
  const result = await browseItemsStrict(db, browseCampaign(campaign), search);
  const q = result.query;
  return {
    items: result.rows.map((r) => rowJson(campaign.slug, r)),
    next_cursor: result.nextCursor,
    limit: q.limit,
    sort: q.sort,
    dir: q.dir,
    filter: Object.fromEntries(browseSearch({ filter: q.filter, sort: "id", dir: "asc" })),
    count: result.count && { value: result.count.n, capped: result.count.capped },
  };
}

/** GET /api/v1/campaigns/{id}/items/{itemId}: the item (external id, else numeric id) with everything its page shows. */
export async function itemDetailJson(db: Db, campaign: CampaignRef, ref: string) {
  const view = await loadItemView(db, campaign, ref);
  if (!view) throw new AppError("not_found", "Item not found");
  const { item } = view;
  return {
    item: {
      id: item.id,
      external_id: item.externalId,
      input: item.input,
      output: item.output,
      output_b: item.outputB,
      model: item.model,
      metadata: item.metadata,
      group: item.group,
      version: item.version,
      content_hash: item.contentHash,
      gold_answer: item.goldAnswer,
      created_at: item.createdAt,
      updated_at: item.updatedAt,
      url: itemPath(campaign.slug, item.externalId),
    },
    judge: { score: item.judgeScore, confidence: item.judgeConfidence, rationale: item.judgeRationale },
    routing: {
      tail_score: item.tailScore,
      provided_tail_score: item.providedTailScore,
      routed: item.routed,
      inclusion_prob: item.inclusionProb,
      route_reason: item.routeReason,
      priority: item.priority,
      label_pi: item.labelPi,
      judgment_count: item.judgmentCount,
      k_reached: item.kReached,
    },
    consensus: view.consensus,
    ratings: view.ratings.map((r) => ({
      id: r.id,
      rater: r.rater,
      imported: r.imported,
      value: r.value,
      rationale: r.rationale,
      item_version: r.itemVersion,
      current: r.current,
      excluded: r.excluded,
      time_taken_ms: r.timeTakenMs,
      edit_count: r.editCount,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    })),
    inclusion: view.inclusion.map((x) => ({
      run_id: x.runId,
      run_at: x.runAt,
      round: x.round,
      kind: x.kind,
      item_version: x.itemVersion,
      group: x.group,
      tail: x.tail,
      route_pi: x.routePi,
      u: x.u,
      drawn: x.drawn,
      prior_pi: x.priorPi,
      in_sample: x.inSample,
      pi: x.pi,
      reason: x.reason,
    })),
    versions: view.versions.map((v) => ({
      version: v.version,
      content_hash: v.contentHash,
      input: v.input,
      output: v.output,
      output_b: v.outputB,
      judge_score: v.judgeScore,
      judge_confidence: v.judgeConfidence,
      judge_rationale: v.judgeRationale,
      gold_answer: v.goldAnswer,
      superseded_by_import: v.supersededByImport,
      superseded_at: v.supersededAt,
    })),
    flags: view.flags.map((f) => ({
      id: f.id,
      reason: f.reason,
      note: f.note,
      status: f.status,
      flagged_by: f.flaggedBy,
      created_at: f.createdAt,
      resolved_by: f.resolvedBy,
      resolved_at: f.resolvedAt,
      resolution_note: f.resolutionNote,
    })),
  };
}
