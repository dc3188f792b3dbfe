import { countJudgments, judgmentsPage, prepareJudgmentsCopy } from "@/db/queries/exports";
import { csvCell } from "../csv-safe";
import { annotatorPseudonym, externalPseudonym } from "../pseudonym";
import type { ExportKind, Row } from "../types";

// (b) Human judgments, one row per label, each carrying its provenance: which campaign and guidelines version it
// was given under, the rubric, the routing policy version and seed that put the item in front of people, the
// item's π and the judge model named at import. Raters appear only as per-campaign pseudonyms.
export const judgmentsExport: ExportKind = {
  name: "judgments",
  title: "Human judgments with provenance",
  columns: [
    { name: "judgment_id", type: "int64", description: "Judgment id (stable)" },
    { name: "item_external_id", type: "string", description: "Item id given at import" },
    { name: "annotator", type: "string", description: "Pseudonymous rater id, stable within this campaign (a_… accounts, x_… imported raters)" },
    { name: "value", type: "json", description: "The rating on the rubric's scale" },
    { name: "rationale", type: "string", description: "Rater's rationale" },
    { name: "time_taken_ms", type: "int32", description: "Time from display to submit" },
    { name: "source", type: "string", description: "app (rated in Margin) | import" },
    { name: "created_at", type: "timestamp", description: "First submitted" },
    { name: "updated_at", type: "timestamp", description: "Last edited" },
    { name: "excluded_from_reports", type: "boolean", description: "Rater excluded by a researcher after gold checks" },
    { name: "campaign_id", type: "string", description: "Campaign id" },
    { name: "guidelines_version", type: "int32", description: "Guidelines version the rating was given under" },
    { name: "rubric", type: "json", description: "Campaign rubric (JSON)" },
    { name: "routing_policy_version", type: "int32", description: "Routing policy version" },
    { name: "routing_seed", type: "string", description: "Seed of the routing run (reproduces the draws)" },
    { name: "inclusion_prob", type: "double", description: "The item's inclusion probability π" },
    { name: "route_reason", type: "string", description: "Why the item was routed" },
    { name: "judge_model", type: "string", description: "Judge/model named at import (items.model)" },
    { name: "item_version", type: "int32", description: "The item content version the rating was made on" },
  ],
  count: (ctx) => countJudgments(ctx.db, ctx.campaign.id),
  csvCopy: (ctx) => (sql) =>
    prepareJudgmentsCopy(
      sql,
      ctx.campaign.id,
      { account: (id) => annotatorPseudonym(ctx.secret, ctx.campaign.id, id), external: (id, p) => externalPseudonym(ctx.secret, ctx.campaign.id, id, p) },
      { campaignId: csvCell(ctx.campaign.id), rubric: csvCell(ctx.campaign.rubric), routingPolicyVersion: csvCell(ctx.campaign.routingPolicyVersion), routingSeed: csvCell(ctx.campaign.routingSeed) },
    ),
  async *batches(ctx) {
    const c = ctx.campaign;
    const pseudonyms = new Map<string, string>();
    const nameOf = (r: { annotatorId: string | null; externalRaterId: string | null; externalPseudonym: string | null }): string => {
      const key = r.annotatorId ?? `ext:${r.externalRaterId}`;
      let p = pseudonyms.get(key);
      if (!p) {
        p = r.annotatorId ? annotatorPseudonym(ctx.secret, c.id, r.annotatorId) : externalPseudonym(ctx.secret, c.id, r.externalRaterId ?? "", r.externalPseudonym ?? "");
        pseudonyms.set(key, p);
      }
      return p;
    };
    let after = 0;
    for (;;) {
      const page = await judgmentsPage(ctx.db, c.id, after, ctx.batchSize);
      if (page.length === 0) return;
      after = page[page.length - 1]!.id;
      yield page.map(
        (r): Row => [
          r.id,
          r.itemExternalId,
          nameOf(r),
          r.value,
          r.rationale,
          r.timeTakenMs,
          r.source,
          r.createdAt,
          r.updatedAt,
          r.excluded,
          c.id,
          r.guidelinesVersion,
          c.rubric,
          c.routingPolicyVersion,
          c.routingSeed,
          r.inclusionProb,
          r.routeReason,
          r.model,
          r.itemVersion,
        ],
      );
      if (page.length < ctx.batchSize) return;
    }
  },
};
