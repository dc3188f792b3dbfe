import type { Db, Tx } from "@/db";
import { auditEvents } from "@/db/schema";

export type AuditInput = {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  campaignId?: string | null;
  ip?: string | null;
  details?: Record<string, unknown>;
};

/** Append one audit event (inside the caller's transaction when given one, so it commits with the change). */
export async function recordAudit(db: Db | Tx, event: AuditInput): Promise<void> {
  await db.insert(auditEvents).values({
    actorId: event.actorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    campaignId: event.campaignId ?? null,
    ip: event.ip ?? null,
    details: event.details ?? {},
  });
}
