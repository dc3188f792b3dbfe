ALTER TYPE "public"."import_status" ADD VALUE 'partial';--> statement-breakpoint
ALTER TYPE "public"."import_status" ADD VALUE 'empty';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id","created_at" DESC NULLS LAST);--> statement-breakpoint
-- Audit action names in one tense: <object>.<verb>, the verb in its base form (the majority style:
-- campaign.create, export.create, membership.remove...). Rows written before this migration are renamed; the
-- append-only trigger is set aside for this one statement only.
ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_append_only";--> statement-breakpoint
UPDATE "audit_events" SET "action" = CASE "action"
  WHEN 'campaign.created' THEN 'campaign.create'
  WHEN 'campaign.updated' THEN 'campaign.update'
  WHEN 'campaign.status_changed' THEN 'campaign.status_change'
  WHEN 'campaign.policy_changed' THEN 'campaign.policy_change'
  WHEN 'campaign.owner_changed' THEN 'campaign.owner_change'
  WHEN 'items.imported' THEN 'items.import'
  WHEN 'items.versioned' THEN 'items.version'
  WHEN 'flag.resolved' THEN 'flag.resolve'
  WHEN 'membership.invite_claimed' THEN 'membership.invite_claim'
  WHEN 'user.password_changed' THEN 'user.password_change'
  WHEN 'auth.oauth_linked' THEN 'auth.oauth_link'
  WHEN 'auth.signin_failed' THEN 'auth.signin_fail'
  WHEN 'auth.signin_throttled' THEN 'auth.signin_throttle'
  ELSE "action" END
WHERE "action" IN ('campaign.created', 'campaign.updated', 'campaign.status_changed', 'campaign.policy_changed',
  'campaign.owner_changed', 'items.imported', 'items.versioned', 'flag.resolved', 'membership.invite_claimed',
  'user.password_changed', 'auth.oauth_linked', 'auth.signin_failed', 'auth.signin_throttled');--> statement-breakpoint
ALTER TABLE "audit_events" ENABLE TRIGGER "audit_events_append_only";
