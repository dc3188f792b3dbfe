DROP INDEX IF EXISTS "items_assign_idx";--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "k_reached" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "items" SET "k_reached" = true FROM "campaigns" WHERE "campaigns"."id" = "items"."campaign_id" AND "items"."judgment_count" >= "campaigns"."k";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_assign_idx" ON "items" USING btree ("campaign_id","priority" DESC NULLS LAST,"id") WHERE "items"."routed" and not "items"."k_reached";