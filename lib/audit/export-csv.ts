import { and, desc, eq, lt } from "drizzle-orm";
import { stringify } from "csv-stringify/sync";
import type { Db } from "@/db";
import { auditEvents, campaigns, users } from "@/db/schema";
import { csvCell } from "@/lib/export/csv-safe";
import { auditWhere, type AuditFilter } from "./query";

export const AUDIT_CSV_COLUMNS = ["id", "created_at", "action", "actor_id", "actor_role", "target_type", "target_id", "campaign_id", "campaign_slug", "ip", "details"];

/**
 * The filtered audit trail as CSV, newest first, read in keyset pages on id (no cursor held between pages).
 * Actors appear by id and role, not by email; cells are formula-neutralised like every Margin CSV.
 */
export async function* auditCsv(db: Db, filter: AuditFilter, pageSize = 5000): AsyncGenerator<Uint8Array> {
  const line = (cells: unknown[]) => Buffer.from(stringify([cells.map(csvCell)], { record_delimiter: "\n" }));
  yield line(AUDIT_CSV_COLUMNS);
  let before: number | null = null;
  for (;;) {
    const where = auditWhere(filter);
    if (before !== null) where.push(lt(auditEvents.id, before));
    const page = await db
      .select({
        id: auditEvents.id,
        createdAt: auditEvents.createdAt,
        action: auditEvents.action,
        actorId: auditEvents.actorId,
        actorRole: users.role,
        targetType: auditEvents.targetType,
        targetId: auditEvents.targetId,
        campaignId: auditEvents.campaignId,
        campaignSlug: campaigns.slug,
        ip: auditEvents.ip,
        details: auditEvents.details,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorId))
      .leftJoin(campaigns, eq(campaigns.id, auditEvents.campaignId))
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(auditEvents.id))
      .limit(pageSize);
    if (page.length === 0) return;
    before = page[page.length - 1]!.id;
    yield Buffer.from(stringify(page.map((r) => [r.id, r.createdAt, r.action, r.actorId, r.actorRole, r.targetType, r.targetId, r.campaignId, r.campaignSlug, r.ip, r.details].map(csvCell)), { record_delimiter: "\n" }));
    if (page.length < pageSize) return;
  }
}
