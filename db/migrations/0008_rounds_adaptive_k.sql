ALTER TYPE "public"."route_reason" ADD VALUE 'active';--> statement-breakpoint
ALTER TYPE "public"."route_reason" ADD VALUE 'escalate';--> statement-breakpoint
ALTER TABLE "inclusion_records" DROP CONSTRAINT "inclusion_records_reason_check";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "k_min" integer;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "agree_distance" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "k_extended" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_runs" ADD COLUMN "round" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_runs" ADD COLUMN "kind" text DEFAULT 'rules' NOT NULL;--> statement-breakpoint
ALTER TABLE "routing_runs" ADD COLUMN "details" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "inclusion_records" ADD COLUMN "confidence" double precision;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_k_min_check" CHECK ("campaigns"."k_min" is null or ("campaigns"."k_min" >= 1 and "campaigns"."k_min" <= "campaigns"."k"));--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_agree_distance_check" CHECK ("campaigns"."agree_distance" >= 0);--> statement-breakpoint
ALTER TABLE "inclusion_records" ADD CONSTRAINT "inclusion_records_reason_check" CHECK ("inclusion_records"."reason" is null or "inclusion_records"."reason" in ('low_confidence', 'tail', 'control', 'prior_labels', 'active', 'escalate'));