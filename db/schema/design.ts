import { sql } from "drizzle-orm";
import { bigint, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { campaigns } from "./campaigns";
import { items } from "./items";
import { routingRuns } from "./operations";

// The evaluation record (design notes, "The evaluation record"): what a report was computed from, kept forever.

// Content an item had before a re-import changed it: version n of the item, as its raters saw it. The current
// version's content lives on the item itself (items.version), so an import that changes nothing writes nothing here.
export const itemVersions = pgTable(
  "item_versions",
  {
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    version: integer().notNull(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    contentHash: text().notNull(),
    input: text().notNull(),
    output: text().notNull(),
    outputB: text(),
    judgeScore: jsonb().$type<number | string | null>(),
    judgeConfidence: doublePrecision(),
    judgeRationale: text(),
    goldAnswer: jsonb().$type<number | string | null>(),
    // The import that replaced this content, and when.
    supersededByImport: uuid(),
    supersededAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.version] }), index("item_versions_campaign_idx").on(t.campaignId)],
);

export const INCLUSION_REASONS = ["low_confidence", "tail", "control", "prior_labels", "active", "escalate"] as const;
export type InclusionReason = (typeof INCLUSION_REASONS)[number];

// One row per item a routing run considered (gold items are not: they are checks, not sample). Never updated:
// a later run writes its own rows, so a report computed from run R can always be recomputed from run R.
export const inclusionRecords = pgTable(
  "inclusion_records",
  {
    runId: uuid()
      .notNull()
      .references(() => routingRuns.id, { onDelete: "cascade" }),
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    // The item's content version when the run considered it.
    itemVersion: integer().notNull(),
    // Stratification group and computed tail score as of the run (reports bucket and group by these).
    group: text(),
    tail: doublePrecision(),
    // The judge's confidence on that version as of the run (trust certificates and the escalate policy read it;
    // null on records written before it was kept, or when the judge gave none).
    confidence: doublePrecision(),
    // The item version has a judge score: the population of the judge's bias is the items it scored.
    judged: boolean().notNull(),
    // Inclusion probability of the routing draw (π = 1 targeted, p control, or the budget's π).
    routePi: doublePrecision().notNull(),
    // The seeded uniform draw u: routed ⇔ u < routePi (null only on records backfilled from before records existed).
    u: doublePrecision(),
    routed: boolean().notNull(),
    // Imported prior labels' own inclusion probability (census 1, or the row's label_pi); null without prior labels.
    priorPi: doublePrecision(),
    // In the sample: routed to people or holding prior labels. π of the union of the two independent draws,
    // 1 − (1 − routePi)(1 − priorPi): what every estimate weights by.
    inSample: boolean().notNull(),
    pi: doublePrecision().notNull(),
    reason: text().$type<InclusionReason>(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.itemId] }),
    check("inclusion_records_pi_check", sql`${t.pi} >= 0 and ${t.pi} <= 1 and ${t.routePi} >= 0 and ${t.routePi} <= 1`),
    check("inclusion_records_sample_check", sql`not ${t.inSample} or ${t.pi} > 0`),
    check("inclusion_records_reason_check", sql`${t.reason} is null or ${t.reason} in ('low_confidence', 'tail', 'control', 'prior_labels', 'active', 'escalate')`),
  ],
);

export type ItemVersion = typeof itemVersions.$inferSelect;
export type InclusionRecord = typeof inclusionRecords.$inferSelect;
