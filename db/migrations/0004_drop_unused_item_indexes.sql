DROP INDEX "items_campaign_group_idx";--> statement-breakpoint
DROP INDEX "items_campaign_tail_idx";