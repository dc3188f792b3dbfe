import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { routeReason } from "./enums";
import { campaigns } from "./campaigns";

// One model output to evaluate, with the AI judge's verdict as imported. Judge fields are never shown to
// contributors (blind rating); tail score, routing and π are computed by lib/tail and lib/routing.
export const items = pgTable(
  "items",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    externalId: text().notNull(),
    input: text().notNull().default(""),
    output: text().notNull(),
    outputB: text(),
    model: text(),
    metadata: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    // Value of the campaign's stratification key, denormalised for grouping in SQL.
    group: text(),
    judgeScore: jsonb().$type<number | string | null>(),
    judgeConfidence: doublePrecision(),
    judgeRationale: text(),
    embedding: real().array(),
    // The computed tail score of the latest routing run (lib/tail); the imported one lives in providedTailScore.
    tailScore: doublePrecision(),
    // The tail score the import carried, never written by routing: the "provided" method reads it.
    providedTailScore: doublePrecision(),
    // Imported human labels that came from a probability sample: their inclusion probability (null: a census, π = 1).
    labelPi: doublePrecision(),
    // Content version: bumped when a re-import changes input, output(s), the judge's verdict or the gold answer (the
    // old content is kept in item_versions). Judgments record the version their rater saw; an item becoming gold
    // (or ceasing to be) is a new version, so checks on it never mix with the sample ratings of an earlier run.
    version: integer().notNull().default(1),
    // md5 of the versioned content, length-prefixed so no two contents can collide by concatenation; floats
    // hashed by their binary form (float8send), which no session setting changes.
    contentHash: text().generatedAlwaysAs(sql`md5(length(input)::text || ':' || input || '|' || length(output)::text || ':' || output || '|' || coalesce(length(output_b)::text || ':' || output_b, '-') || '|' || coalesce(judge_score::text, '-') || '|' || coalesce(encode(float8send(judge_confidence), 'hex'), '-') || '|' || coalesce(length(judge_rationale)::text || ':' || judge_rationale, '-') || '|' || coalesce(gold_answer::text, '-'))`),
    routed: boolean().notNull().default(false),
    // Inclusion probability π of the routing design: every corrected estimate weights by 1/π.
    inclusionProb: doublePrecision(),
    routeReason: routeReason(),
    // Assignment order: higher first (tail and low confidence high, control items interleaved).
    priority: doublePrecision().notNull().default(0),
    goldAnswer: jsonb().$type<number | string | null>(),
    // Submitted judgments, kept by the judgment writer in the same transaction: the hot path reads it.
    judgmentCount: integer().notNull().default(0),
    // judgment_count >= the campaign's k, kept by every writer of judgment_count (and by a change of k). It takes
    // fully judged items out of items_assign_idx, so next-item does not walk past them; the pick still checks
    // judgment_count itself, so a stale flag can only cost time, never an over-k assignment.
    kReached: boolean().notNull().default(false),
    // Adaptive k: the first kMin ratings of the current version disagreed, so the item collects up to k (k_max).
    kExtended: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("items_campaign_external_key").on(t.campaignId, t.externalId),
    // Next-item assignment: routed items of a campaign still short of k, by priority.
    index("items_assign_idx")
      .on(t.campaignId, t.priority.desc(), t.id)
      .where(sql`${t.routed} and not ${t.kReached}`),
    // Next-item's gold branch: a campaign's gold items, by id (few rows; ordinary items are not in it).
    index("items_gold_idx")
      .on(t.campaignId, t.id)
      .where(sql`${t.goldAnswer} is not null`),
    // The item browser (docs/item-browser.md): one index per facet, so a filter on any single facet reads only the
    // items it returns. Sorts by tail score and confidence use the tail and confidence indexes (nulls as -1, so one
    // btree serves both directions and a keyset never compares a null). They cost the bulk import and make a
    // routing update that changes an item's tail score, reason or π non-HOT; measured in docs/benchmarks.md.
    index("items_browse_id_idx").on(t.campaignId, t.id),
    index("items_browse_group_idx").on(t.campaignId, t.group, t.id),
    index("items_browse_tail_idx").on(t.campaignId, sql`coalesce(${t.tailScore}, -1)`, t.id),
    index("items_browse_confidence_idx").on(t.campaignId, sql`coalesce(${t.judgeConfidence}, -1)`, t.id),
    index("items_browse_reason_idx").on(t.campaignId, t.routeReason, t.inclusionProb),
    index("items_browse_judge_idx").on(t.campaignId, t.judgeScore),
    index("items_browse_changed_idx")
      .on(t.campaignId, t.id)
      .where(sql`${t.version} > 1`),
    index("items_browse_metadata_idx").using("gin", t.metadata.op("jsonb_path_ops")),
    check("items_confidence_check", sql`${t.judgeConfidence} is null or (${t.judgeConfidence} >= 0 and ${t.judgeConfidence} <= 1)`),
    check("items_tail_check", sql`${t.tailScore} is null or (${t.tailScore} >= 0 and ${t.tailScore} <= 1)`),
    check("items_provided_tail_check", sql`${t.providedTailScore} is null or (${t.providedTailScore} >= 0 and ${t.providedTailScore} <= 1)`),
    check("items_label_pi_check", sql`${t.labelPi} is null or (${t.labelPi} > 0 and ${t.labelPi} <= 1)`),
    check("items_pi_check", sql`${t.inclusionProb} is null or (${t.inclusionProb} > 0 and ${t.inclusionProb} <= 1)`),
    check("items_routed_pi_check", sql`not ${t.routed} or ${t.inclusionProb} is not null`),
  ],
);

export type Item = typeof items.$inferSelect;
export type NewItem = typeof items.$inferInsert;
