import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { exportFormat, importFormat, importStatus } from "./enums";
import { campaigns } from "./campaigns";
import { users } from "./users";

// Programmatic access. Only a SHA-256 of the secret is stored; `prefix` is shown so people can tell keys apart.
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    prefix: text().notNull(),
    keyHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("api_keys_hash_key").on(t.keyHash), index("api_keys_user_idx").on(t.userId)],
);

export type ImportRowError = { line: number; externalId?: string; reason: string };

export const imports = pgTable(
  "imports",
  {
    id: uuid().primaryKey().defaultRandom(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id),
    apiKeyId: uuid().references(() => apiKeys.id),
    filename: text(),
    format: importFormat().notNull(),
    allOrNothing: integer().notNull().default(0),
    status: importStatus().notNull().default("running"),
    rowsTotal: integer().notNull().default(0),
    rowsNew: integer().notNull().default(0),
    rowsUpdated: integer().notNull().default(0),
    rowsRejected: integer().notNull().default(0),
    errors: jsonb().$type<ImportRowError[]>().notNull().default([]),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("imports_campaign_idx").on(t.campaignId, t.createdAt)],
);

export const exports = pgTable(
  "exports",
  {
    id: uuid().primaryKey().defaultRandom(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id),
    kind: text().notNull(),
    format: exportFormat().notNull(),
    params: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    rowCount: integer().notNull().default(0),
    sha256: text(),
    manifest: jsonb().$type<Record<string, unknown>>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("exports_campaign_idx").on(t.campaignId, t.createdAt)],
);

// Every routing run, with its seed and policy, so the draws can be reproduced.
export const routingRuns = pgTable(
  "routing_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    userId: uuid().references(() => users.id),
    seed: text().notNull(),
    policy: jsonb().notNull(),
    policyVersion: integer().notNull(),
    itemsTotal: integer().notNull(),
    itemsRouted: integer().notNull(),
    // Rounds (active and escalate policies): 1 for a rules run or the first run; t + 1 for a run that follows
    // round t under an active or escalate policy. Estimates combine rounds 1..t (lib/allocate/rounds.ts).
    round: integer().notNull().default(1),
    kind: text().$type<"rules" | "active" | "escalate">().notNull().default("rules"),
    // What the round's design was computed from: the fitted error model, budget, π_min, trust thresholds.
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("routing_runs_campaign_idx").on(t.campaignId, t.createdAt)],
);

// Append-only (a trigger in the migrations refuses UPDATE and DELETE).
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    actorId: uuid().references(() => users.id),
    action: text().notNull(),
    targetType: text(),
    targetId: text(),
    // No cascade: a campaign with audit events is closed, never deleted (the trigger would refuse anyway).
    campaignId: uuid().references(() => campaigns.id),
    ip: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("audit_events_created_idx").on(t.createdAt.desc()),
    index("audit_events_campaign_idx").on(t.campaignId, t.createdAt.desc()),
    index("audit_events_action_idx").on(t.action, t.createdAt.desc()),
    // The audit page filters by actor.
    index("audit_events_actor_idx").on(t.actorId, t.createdAt.desc()),
  ],
);

// Fixed-window counters for abuse limits; shared by every app instance because it lives in Postgres.
export const rateLimits = pgTable("rate_limits", {
  key: text().primaryKey(),
  windowStart: timestamp({ withTimezone: true }).notNull(),
  count: integer().notNull().default(0),
});

// Computed reports, invalidated when the campaign's judgment watermark moves.
export const reportCache = pgTable(
  "report_cache",
  {
    campaignId: uuid()
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    key: text().notNull(),
    watermark: text().notNull(),
    payload: jsonb().notNull(),
    computedAt: timestamp({ withTimezone: true }).notNull().default(sql`now()`),
  },
  (t) => [uniqueIndex("report_cache_key").on(t.campaignId, t.key)],
);

export type ApiKey = typeof apiKeys.$inferSelect;
export type Import = typeof imports.$inferSelect;
export type Export = typeof exports.$inferSelect;
export type AuditEvent = typeof auditEvents.$inferSelect;
