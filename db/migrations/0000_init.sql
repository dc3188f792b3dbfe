CREATE TYPE "public"."assignment_status" AS ENUM('leased', 'submitted', 'skipped', 'expired');--> statement-breakpoint
CREATE TYPE "public"."campaign_status" AS ENUM('draft', 'active', 'paused', 'closed');--> statement-breakpoint
CREATE TYPE "public"."campaign_visibility" AS ENUM('public', 'invite');--> statement-breakpoint
CREATE TYPE "public"."export_format" AS ENUM('csv', 'jsonl', 'parquet', 'zip');--> statement-breakpoint
CREATE TYPE "public"."flag_reason" AS ENUM('harmful', 'broken', 'unclear', 'wrong_language', 'other');--> statement-breakpoint
CREATE TYPE "public"."flag_status" AS ENUM('open', 'resolved', 'dismissed');--> statement-breakpoint
CREATE TYPE "public"."import_format" AS ENUM('csv', 'jsonl', 'json');--> statement-breakpoint
CREATE TYPE "public"."import_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."judgment_source" AS ENUM('app', 'import');--> statement-breakpoint
CREATE TYPE "public"."member_role" AS ENUM('owner', 'researcher', 'annotator', 'auditor');--> statement-breakpoint
CREATE TYPE "public"."route_reason" AS ENUM('low_confidence', 'tail', 'control', 'gold');--> statement-breakpoint
CREATE TYPE "public"."tail_method" AS ENUM('provided', 'group', 'embedding', 'text');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('contributor', 'researcher', 'auditor', 'admin');--> statement-breakpoint
CREATE TABLE "oauth_accounts" (
	"provider" text NOT NULL,
	"provider_account_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_accounts_provider_provider_account_id_pk" PRIMARY KEY("provider","provider_account_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"role" "user_role" DEFAULT 'contributor' NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"region" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "campaign_invites" (
	"campaign_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" "member_role" DEFAULT 'annotator' NOT NULL,
	"invited_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_invites_campaign_id_email_pk" PRIMARY KEY("campaign_id","email")
);
--> statement-breakpoint
CREATE TABLE "campaign_members" (
	"campaign_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role" "member_role" NOT NULL,
	"invited_by" uuid,
	"excluded_from_reports" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_members_campaign_id_user_id_pk" PRIMARY KEY("campaign_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"guidelines" text DEFAULT '' NOT NULL,
	"guidelines_version" integer DEFAULT 1 NOT NULL,
	"rubric" jsonb NOT NULL,
	"k" integer DEFAULT 3 NOT NULL,
	"routing_policy" jsonb NOT NULL,
	"routing_policy_version" integer DEFAULT 1 NOT NULL,
	"routing_seed" text,
	"visibility" "campaign_visibility" DEFAULT 'public' NOT NULL,
	"status" "campaign_status" DEFAULT 'draft' NOT NULL,
	"stratification_key" text,
	"tail_method" "tail_method" DEFAULT 'group' NOT NULL,
	"lease_minutes" integer DEFAULT 10 NOT NULL,
	"gold_rate" double precision DEFAULT 0 NOT NULL,
	"owner_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaigns_k_check" CHECK ("campaigns"."k" between 1 and 50),
	CONSTRAINT "campaigns_lease_check" CHECK ("campaigns"."lease_minutes" between 1 and 1440),
	CONSTRAINT "campaigns_gold_rate_check" CHECK ("campaigns"."gold_rate" >= 0 and "campaigns"."gold_rate" <= 1)
);
--> statement-breakpoint
CREATE TABLE "external_raters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"pseudonym" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"campaign_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"input" text DEFAULT '' NOT NULL,
	"output" text NOT NULL,
	"output_b" text,
	"model" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"group" text,
	"judge_score" jsonb,
	"judge_confidence" double precision,
	"judge_rationale" text,
	"embedding" real[],
	"tail_score" double precision,
	"routed" boolean DEFAULT false NOT NULL,
	"inclusion_prob" double precision,
	"route_reason" "route_reason",
	"priority" double precision DEFAULT 0 NOT NULL,
	"gold_answer" jsonb,
	"judgment_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "items_confidence_check" CHECK ("items"."judge_confidence" is null or ("items"."judge_confidence" >= 0 and "items"."judge_confidence" <= 1)),
	CONSTRAINT "items_tail_check" CHECK ("items"."tail_score" is null or ("items"."tail_score" >= 0 and "items"."tail_score" <= 1)),
	CONSTRAINT "items_pi_check" CHECK ("items"."inclusion_prob" is null or ("items"."inclusion_prob" > 0 and "items"."inclusion_prob" <= 1)),
	CONSTRAINT "items_routed_pi_check" CHECK (not "items"."routed" or "items"."inclusion_prob" is not null)
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "assignments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"campaign_id" uuid NOT NULL,
	"item_id" bigint NOT NULL,
	"annotator_id" uuid NOT NULL,
	"status" "assignment_status" DEFAULT 'leased' NOT NULL,
	"leased_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"swapped" boolean DEFAULT false NOT NULL,
	"skip_reason" text
);
--> statement-breakpoint
CREATE TABLE "flags" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "flags_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"campaign_id" uuid NOT NULL,
	"item_id" bigint NOT NULL,
	"user_id" uuid NOT NULL,
	"reason" "flag_reason" NOT NULL,
	"note" text,
	"status" "flag_status" DEFAULT 'open' NOT NULL,
	"resolved_by" uuid,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "judgments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "judgments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"campaign_id" uuid NOT NULL,
	"item_id" bigint NOT NULL,
	"annotator_id" uuid,
	"external_rater_id" uuid,
	"value" jsonb NOT NULL,
	"rationale" text,
	"time_taken_ms" integer,
	"source" "judgment_source" DEFAULT 'app' NOT NULL,
	"guidelines_version" integer DEFAULT 1 NOT NULL,
	"edit_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "judgments_rater_check" CHECK (("judgments"."annotator_id" is null) <> ("judgments"."external_rater_id" is null)),
	CONSTRAINT "judgments_time_check" CHECK ("judgments"."time_taken_ms" is null or "judgments"."time_taken_ms" >= 0)
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"actor_id" uuid,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"campaign_id" uuid,
	"ip" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"user_id" uuid,
	"kind" text NOT NULL,
	"format" "export_format" NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"row_count" integer DEFAULT 0 NOT NULL,
	"sha256" text,
	"manifest" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"user_id" uuid,
	"api_key_id" uuid,
	"filename" text,
	"format" "import_format" NOT NULL,
	"all_or_nothing" integer DEFAULT 0 NOT NULL,
	"status" "import_status" DEFAULT 'running' NOT NULL,
	"rows_total" integer DEFAULT 0 NOT NULL,
	"rows_new" integer DEFAULT 0 NOT NULL,
	"rows_updated" integer DEFAULT 0 NOT NULL,
	"rows_rejected" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_cache" (
	"campaign_id" uuid NOT NULL,
	"key" text NOT NULL,
	"watermark" text NOT NULL,
	"payload" jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"user_id" uuid,
	"seed" text NOT NULL,
	"policy" jsonb NOT NULL,
	"policy_version" integer NOT NULL,
	"items_total" integer NOT NULL,
	"items_routed" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oauth_accounts" ADD CONSTRAINT "oauth_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_invites" ADD CONSTRAINT "campaign_invites_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_invites" ADD CONSTRAINT "campaign_invites_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_members" ADD CONSTRAINT "campaign_members_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_members" ADD CONSTRAINT "campaign_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_members" ADD CONSTRAINT "campaign_members_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "external_raters" ADD CONSTRAINT "external_raters_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "items" ADD CONSTRAINT "items_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_annotator_id_users_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judgments" ADD CONSTRAINT "judgments_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judgments" ADD CONSTRAINT "judgments_item_id_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judgments" ADD CONSTRAINT "judgments_annotator_id_users_id_fk" FOREIGN KEY ("annotator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "judgments" ADD CONSTRAINT "judgments_external_rater_id_external_raters_id_fk" FOREIGN KEY ("external_rater_id") REFERENCES "public"."external_raters"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exports" ADD CONSTRAINT "exports_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "exports" ADD CONSTRAINT "exports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "report_cache" ADD CONSTRAINT "report_cache_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_runs" ADD CONSTRAINT "routing_runs_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_runs" ADD CONSTRAINT "routing_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "oauth_accounts_user_idx" ON "oauth_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "users_email_key" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "users_role_idx" ON "users" USING btree ("role");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "campaign_members_user_idx" ON "campaign_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "campaigns_slug_key" ON "campaigns" USING btree ("slug");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "campaigns_status_visibility_idx" ON "campaigns" USING btree ("status","visibility");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "external_raters_campaign_pseudonym_key" ON "external_raters" USING btree ("campaign_id","pseudonym");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "items_campaign_external_key" ON "items" USING btree ("campaign_id","external_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_assign_idx" ON "items" USING btree ("campaign_id","priority" DESC NULLS LAST,"id") WHERE "items"."routed";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_campaign_group_idx" ON "items" USING btree ("campaign_id","group");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_campaign_tail_idx" ON "items" USING btree ("campaign_id","tail_score");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "assignments_item_annotator_key" ON "assignments" USING btree ("item_id","annotator_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "assignments_live_idx" ON "assignments" USING btree ("item_id","expires_at") WHERE "assignments"."status" = 'leased';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "assignments_annotator_idx" ON "assignments" USING btree ("annotator_id","campaign_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "flags_item_user_key" ON "flags" USING btree ("item_id","user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "flags_campaign_status_idx" ON "flags" USING btree ("campaign_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "judgments_item_annotator_key" ON "judgments" USING btree ("item_id","annotator_id");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "judgments_item_external_key" ON "judgments" USING btree ("item_id","external_rater_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "judgments_campaign_item_idx" ON "judgments" USING btree ("campaign_id","item_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "judgments_annotator_idx" ON "judgments" USING btree ("annotator_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "api_keys_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "api_keys_user_idx" ON "api_keys" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "audit_events_created_idx" ON "audit_events" USING btree ("created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "audit_events_campaign_idx" ON "audit_events" USING btree ("campaign_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "audit_events_action_idx" ON "audit_events" USING btree ("action","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "exports_campaign_idx" ON "exports" USING btree ("campaign_id","created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "imports_campaign_idx" ON "imports" USING btree ("campaign_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "report_cache_key" ON "report_cache" USING btree ("campaign_id","key");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "routing_runs_campaign_idx" ON "routing_runs" USING btree ("campaign_id","created_at");