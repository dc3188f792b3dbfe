ALTER TYPE "public"."route_reason" ADD VALUE 'prior_labels';--> statement-breakpoint
CREATE TABLE "inclusion_records" (
	"run_id" uuid NOT NULL,
	"item_id" bigint NOT NULL,
	"item_version" integer NOT NULL,
	"group" text,
	"tail" double precision,
	"judged" boolean NOT NULL,
	"route_pi" double precision NOT NULL,
	"u" double precision,
	"routed" boolean NOT NULL,
	"prior_pi" double precision,
	"in_sample" boolean NOT NULL,
	"pi" double precision NOT NULL,
	"reason" text,
	CONSTRAINT "inclusion_records_run_id_item_id_pk" PRIMARY KEY("run_id","item_id"),
	CONSTRAINT "inclusion_records_pi_check" CHECK ("inclusion_records"."pi" >= 0 and "inclusion_records"."pi" <= 1 and "inclusion_records"."route_pi" >= 0 and "inclusion_records"."route_pi" <= 1),
	CONSTRAINT "inclusion_records_sample_check" CHECK (not "inclusion_records"."in_sample" or "inclusion_records"."pi" > 0),
	CONSTRAINT "inclusion_records_reason_check" CHECK ("inclusion_records"."reason" is null or "inclusion_records"."reason" in ('low_confidence', 'tail', 'control', 'prior_labels'))
);
--> statement-breakpoint
CREATE TABLE "item_versions" (
	"item_id" bigint NOT NULL,
	"version" integer NOT NULL,
	"campaign_id" uuid NOT NULL,
	"content_hash" text NOT NULL,
	"input" text NOT NULL,
	"output" text NOT NULL,
	"output_b" text,
	"judge_score" jsonb,
	"judge_confidence" double precision,
	"judge_rationale" text,
	"gold_answer" jsonb,
	"superseded_by_import" uuid,
	"superseded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "item_versions_item_id_version_pk" PRIMARY KEY("item_id","version")
);
--> statement-breakpoint
DROP INDEX IF EXISTS "assignments_item_annotator_key";--> statement-breakpoint
DROP INDEX IF EXISTS "judgments_item_annotator_key";--> statement-breakpoint
DROP INDEX IF EXISTS "judgments_item_external_key";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "consensus" text;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "provided_tail_score" double precision;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "label_pi" double precision;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "content_hash" text GENERATED ALWAYS AS (md5(length(input)::text || ':' || input || '|' || length(output)::text || ':' || output || '|' || coalesce(length(output_b)::text || ':' || output_b, '-') || '|' || coalesce(judge_score::text, '-') || '|' || coalesce(encode(float8send(judge_confidence), 'hex'), '-') || '|' || coalesce(length(judge_rationale)::text || ':' || judge_rationale, '-') || '|' || coalesce(gold_answer::text, '-'))) STORED;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "item_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "judgments" ADD COLUMN "item_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "inclusion_records" ADD CONSTRAINT "inclusion_records_run_id_routing_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."routing_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inclusion_records" ADD CONSTRAINT "inclusion_records_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_versions" ADD CONSTRAINT "item_versions_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "item_versions" ADD CONSTRAINT "item_versions_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "item_versions_campaign_idx" ON "item_versions" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "assignments_item_annotator_key" ON "assignments" USING btree ("item_id","annotator_id","item_version");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "judgments_item_annotator_key" ON "judgments" USING btree ("item_id","annotator_id","item_version");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "judgments_item_external_key" ON "judgments" USING btree ("item_id","external_rater_id","item_version");--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_consensus_check" CHECK ("campaigns"."consensus" is null or "campaigns"."consensus" in ('median', 'majority', 'mean', 'dawid_skene'));--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_provided_tail_check" CHECK ("items"."provided_tail_score" is null or ("items"."provided_tail_score" >= 0 and "items"."provided_tail_score" <= 1));--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_label_pi_check" CHECK ("items"."label_pi" is null or ("items"."label_pi" > 0 and "items"."label_pi" <= 1));
--> statement-breakpoint
-- Until now the import wrote a provided tail score into tail_score, where routing overwrote it with the computed one;
-- for campaigns scored by the provided method the two were the same value, so it is the provided one.
UPDATE "items" i SET "provided_tail_score" = i."tail_score" FROM "campaigns" c WHERE c."id" = i."campaign_id" AND c."tail_method" = 'provided';--> statement-breakpoint
-- Gold items are checks, not sample: no π, no route reason but 'gold'.
UPDATE "items" SET "routed" = false, "inclusion_prob" = NULL, "route_reason" = 'gold', "priority" = 0 WHERE "gold_answer" IS NOT NULL;--> statement-breakpoint
-- The design of each campaign's latest routing run, as the items hold it, becomes that run's inclusion records
-- (without the uniform draws, which were not kept); imported labels enter as a census (π = 1) in their own reason,
-- as lib/routing/route-items.ts sampleDesign does.
INSERT INTO "inclusion_records" ("run_id", "item_id", "item_version", "group", "tail", "judged", "route_pi", "u", "routed", "prior_pi", "in_sample", "pi", "reason")
SELECT r."id", i."id", i."version", i."group", i."tail_score", i."judge_score" IS NOT NULL, coalesce(i."inclusion_prob", 0), NULL, i."routed",
       CASE WHEN p."item_id" IS NOT NULL THEN 1 END,
       i."routed" OR p."item_id" IS NOT NULL,
       CASE WHEN p."item_id" IS NOT NULL THEN 1 ELSE coalesce(i."inclusion_prob", 0) END,
       CASE WHEN p."item_id" IS NOT NULL THEN 'prior_labels' WHEN i."routed" THEN i."route_reason"::text END
FROM (SELECT DISTINCT ON ("campaign_id") "id", "campaign_id" FROM "routing_runs" ORDER BY "campaign_id", "created_at" DESC) r
JOIN "items" i ON i."campaign_id" = r."campaign_id" AND i."gold_answer" IS NULL
LEFT JOIN (SELECT DISTINCT "item_id" FROM "judgments" WHERE "source" = 'import') p ON p."item_id" = i."id";
