CREATE INDEX IF NOT EXISTS "items_browse_id_idx" ON "items" USING btree ("campaign_id","id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_browse_group_idx" ON "items" USING btree ("campaign_id","group","id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_browse_tail_idx" ON "items" USING btree ("campaign_id",coalesce("tail_score", -1),"id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_browse_confidence_idx" ON "items" USING btree ("campaign_id",coalesce("judge_confidence", -1),"id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_browse_reason_idx" ON "items" USING btree ("campaign_id","route_reason","inclusion_prob");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_browse_judge_idx" ON "items" USING btree ("campaign_id","judge_score");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_browse_changed_idx" ON "items" USING btree ("campaign_id","id") WHERE "items"."version" > 1;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "items_browse_metadata_idx" ON "items" USING gin ("metadata" jsonb_path_ops);