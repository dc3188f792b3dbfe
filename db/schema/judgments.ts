import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { assignmentStatus, flagReason, flagStatus, judgmentSource } from "./enums";
import { campaigns, externalRaters } from "./campaigns";
import { items } from "./items";
import { users } from "./users";

// A lease or a finished piece of work by one contributor on one item version. Unique (item, annotator, version):
// nobody sees the same content twice. A lease is live while status = 'leased' and expires_at > now(); no job is needed to expire it.
export const assignments = pgTable(
  "assignments",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    annotatorId: uuid()
      .notNull()
      .references(() => users.id),
    status: assignmentStatus().notNull().default("leased"),
    leasedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    finishedAt: timestamp({ withTimezone: true }),
    // Pairwise: true when output B was shown on the left for this annotator (mapping kept for analysis).
    swapped: boolean().notNull().default(false),
    // The item's content version this lease showed. Once per person per version: a re-import that changes the
    // content makes a new version that people who rated the old one can be asked about again.
    itemVersion: integer().notNull().default(1),
    skipReason: text(),
  },
  (t) => [
    uniqueIndex("assignments_item_annotator_key").on(t.itemId, t.annotatorId, t.itemVersion),
    index("assignments_live_idx")
      .on(t.itemId, t.expiresAt)
      .where(sql`${t.status} = 'leased'`),
    index("assignments_annotator_idx").on(t.annotatorId, t.campaignId, t.status),
  ],
);

// One human rating. Either an account (annotator_id) or an imported external rater gave it.
export const judgments = pgTable(
  "judgments",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    annotatorId: uuid().references(() => users.id),
    externalRaterId: uuid().references(() => externalRaters.id),
    value: jsonb().$type<number | string>().notNull(),
    // The item's content version this rating was made on (items.version at the time): a re-import that changes
    // the content leaves the rating bound to what its rater saw, and reports count it for that version only.
    itemVersion: integer().notNull().default(1),
    rationale: text(),
    timeTakenMs: integer(),
    source: judgmentSource().notNull().default("app"),
    guidelinesVersion: integer().notNull().default(1),
    editCount: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One rating per person (or imported rater) per item version.
    uniqueIndex("judgments_item_annotator_key").on(t.itemId, t.annotatorId, t.itemVersion),
    uniqueIndex("judgments_item_external_key").on(t.itemId, t.externalRaterId, t.itemVersion),
    index("judgments_campaign_item_idx").on(t.campaignId, t.itemId),
    index("judgments_annotator_idx").on(t.annotatorId, t.createdAt),
    // A campaign's raters without reading its judgments (export pseudonyms, per-contributor progress).
    index("judgments_campaign_annotator_idx").on(t.campaignId, t.annotatorId),
    check("judgments_rater_check", sql`(${t.annotatorId} is null) <> (${t.externalRaterId} is null)`),
    check("judgments_time_check", sql`${t.timeTakenMs} is null or ${t.timeTakenMs} >= 0`),
  ],
);

export const flags = pgTable(
  "flags",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    itemId: bigint({ mode: "number" })
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    reason: flagReason().notNull(),
    note: text(),
    status: flagStatus().notNull().default("open"),
    resolvedBy: uuid().references(() => users.id),
    resolvedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("flags_item_user_key").on(t.itemId, t.userId),
    index("flags_campaign_status_idx").on(t.campaignId, t.status, t.createdAt),
  ],
);

export type Assignment = typeof assignments.$inferSelect;
export type Judgment = typeof judgments.$inferSelect;
export type NewJudgment = typeof judgments.$inferInsert;
export type Flag = typeof flags.$inferSelect;
