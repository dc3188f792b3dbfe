DROP INDEX IF EXISTS "items_campaign_group_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "items_campaign_tail_idx";