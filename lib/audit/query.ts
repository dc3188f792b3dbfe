import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { auditEvents, campaigns, users } from "@/db/schema";

/**
 * Audit filters. `action`: an exact action, or a prefix when it ends with "." ("campaign." = every campaign event);
 * `actor`: an email (any case) or a user id; `campaign`: a slug or id (`campaignId`: an id); `from` inclusive, `to`
 * exclusive. Callers join users (the actor's email).
 */
export type AuditFilter = { action?: string; actor?: string; campaignId?: string; campaign?: string; from?: Date; to?: Date };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function auditWhere(f: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (f.action) {
    where.push(f.action.endsWith(".") ? sql`${auditEvents.action} like ${`${f.action.replace(/[%_\\]/g, "\\$&")}%`}` : eq(auditEvents.action, f.action));
  }
  if (f.actor) {
    const a = f.actor.trim();
    where.push(UUID.test(a) ? eq(auditEvents.actorId, a) : eq(users.email, a.toLowerCase()));
  }
  if (f.campaignId) where.push(eq(auditEvents.campaignId, f.campaignId));
  if (f.campaign) {
    const c = f.campaign.trim();
    where.push(sql`${auditEvents.campaignId} = (select id from campaigns where ${UUID.test(c) ? sql`id = ${c}::uuid` : sql`slug = ${c}`})`);
  }
  if (f.from) where.push(gte(auditEvents.createdAt, f.from));
  if (f.to) where.push(lt(auditEvents.createdAt, f.to));
  return where;
}

/** Audit events, newest first, with actor email and campaign name; filters are exact or prefix matches. */
export async function listAuditEvents(db: Db, f: AuditFilter & { limit: number; offset: number }) {
  const where = auditWhere(f);
  const rows = await db
    .select({
      id: auditEvents.id,
      action: auditEvents.action,
      actorEmail: users.email,
      targetType: auditEvents.targetType,
      targetId: auditEvents.targetId,
      campaignName: campaigns.name,
      campaignSlug: campaigns.slug,
      ip: auditEvents.ip,
      details: auditEvents.details,
      createdAt: auditEvents.createdAt,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .leftJoin(campaigns, eq(campaigns.id, auditEvents.campaignId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.createdAt), desc(auditEvents.id))
    .limit(f.limit)
    .offset(f.offset);
  return { rows, total: rows[0]?.total ?? 0 };
}

/** Campaigns that have audit events, for the campaign filter (by name). */
export async function auditCampaigns(db: Db): Promise<{ slug: string; name: string }[]> {
  return db
    .select({ slug: campaigns.slug, name: campaigns.name })
    .from(campaigns)
    .where(sql`exists (select 1 from audit_events a where a.campaign_id = ${campaigns.id})`)
    .orderBy(campaigns.name);
}

export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action);
  return rows.map((r) => r.action);
}
