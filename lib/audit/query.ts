import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { auditEvents, campaigns, users } from "@/db/schema";

export type AuditFilter = { action?: string; actor?: string; campaignId?: string; from?: Date; to?: Date };

export function auditWhere(f: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (f.action) where.push(sql`${auditEvents.action} like ${`${f.action.replace(/[%_\\]/g, "\\$&")}%`}`);
  if (f.actor) where.push(eq(users.email, f.actor.trim().toLowerCase()));
  if (f.campaignId) where.push(eq(auditEvents.campaignId, f.campaignId));
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

export async function auditActions(db: Db): Promise<string[]> {
  const rows = await db.selectDistinct({ action: auditEvents.action }).from(auditEvents).orderBy(auditEvents.action);
  return rows.map((r) => r.action);
}
