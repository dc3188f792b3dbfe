import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { Rubric, RoutingPolicy } from "@/lib/validation/campaign";
import { campaignStatus, campaignVisibility, memberRole, tailMethod } from "./enums";
import { users } from "./users";

export const campaigns = pgTable(
  "campaigns",
  {
    id: uuid().primaryKey().defaultRandom(),
    slug: text().notNull(),
    name: text().notNull(),
    description: text().notNull().default(""),
    guidelines: text().notNull().default(""),
    guidelinesVersion: integer().notNull().default(1),
    rubric: jsonb().$type<Rubric>().notNull(),
    // Redundancy: distinct human ratings wanted per routed item.
    k: integer().notNull().default(3),
    // Adaptive k (null: fixed k): an item leaves the pool after kMin ratings that agree (ordinal scales: all within
    // agreeDistance of each other) and collects up to k (then k_max) when they do not.
    kMin: integer(),
    agreeDistance: doublePrecision().notNull().default(0),
    routingPolicy: jsonb().$type<RoutingPolicy>().notNull(),
    routingPolicyVersion: integer().notNull().default(1),
    // Seed of the last routing run, kept so an auditor can reproduce every draw.
    routingSeed: text(),
    visibility: campaignVisibility().notNull().default("public"),
    status: campaignStatus().notNull().default("draft"),
    stratificationKey: text(),
    tailMethod: tailMethod().notNull().default("group"),
    leaseMinutes: integer().notNull().default(10),
    goldRate: doublePrecision().notNull().default(0),
    // How the report forms the human consensus per item; null: the rubric's default (median on likert, else majority).
    consensus: text().$type<"median" | "majority" | "mean" | "dawid_skene">(),
    // Hosts whose images (https only) model outputs and guidelines may load; any other remote image stays a link.
    allowedImageHosts: text().array().notNull().default(sql`'{}'::text[]`),
    ownerId: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("campaigns_slug_key").on(t.slug),
    index("campaigns_status_visibility_idx").on(t.status, t.visibility),
    check("campaigns_k_check", sql`${t.k} between 1 and 50`),
    check("campaigns_k_min_check", sql`${t.kMin} is null or (${t.kMin} >= 1 and ${t.kMin} <= ${t.k})`),
    check("campaigns_agree_distance_check", sql`${t.agreeDistance} >= 0`),
    check("campaigns_lease_check", sql`${t.leaseMinutes} between 1 and 1440`),
    check("campaigns_gold_rate_check", sql`${t.goldRate} >= 0 and ${t.goldRate} <= 1`),
    check("campaigns_consensus_check", sql`${t.consensus} is null or ${t.consensus} in ('median', 'majority', 'mean', 'dawid_skene')`),
  ],
);

export const campaignMembers = pgTable(
  "campaign_members",
  {
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: memberRole().notNull(),
    invitedBy: uuid().references(() => users.id),
    // Set by a researcher after gold checks: this person's judgments are left out of reports.
    excludedFromReports: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.userId] }), index("campaign_members_user_idx").on(t.userId)],
);

// Pending invitations by email for invite-only campaigns (the person may not have an account yet).
export const campaignInvites = pgTable(
  "campaign_invites",
  {
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    email: text().notNull(),
    role: memberRole().notNull().default("annotator"),
    invitedBy: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.email] })],
);

// Raters whose labels arrive with an import (a prior study, another tool): no account, a pseudonym per campaign.
export const externalRaters = pgTable(
  "external_raters",
  {
    id: uuid().primaryKey().defaultRandom(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    pseudonym: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("external_raters_campaign_pseudonym_key").on(t.campaignId, t.pseudonym)],
);

export type Campaign = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;
export type CampaignMember = typeof campaignMembers.$inferSelect;
