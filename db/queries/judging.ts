import { and, eq, sql } from "drizzle-orm";
import { rowsOf, type Tx } from "../client";
import { assignments, flags, items, judgments } from "../schema";

export type LockedAssignment = {
  id: number;
  itemId: number;
  status: "leased" | "submitted" | "skipped" | "expired";
  leasedAt: Date;
  expiresAt: Date;
  judgmentCount: number;
  isGold: boolean;
};

/**
 * This person's assignment with its item row locked (FOR UPDATE on the item): every writer of an item's
 * judgment_count goes through this lock, so the k bound below cannot be raced past.
 */
export async function lockAssignment(tx: Tx, campaignId: string, annotatorId: string, assignmentId: number): Promise<LockedAssignment | null> {
  const rows = rowsOf<{ id: number | string; item_id: number | string; status: LockedAssignment["status"]; leased_at: string | Date; expires_at: string | Date; judgment_count: number; is_gold: boolean }>(
    await tx.execute(sql`
      select a.id, a.item_id, a.status::text as status, a.leased_at, a.expires_at, i.judgment_count, (i.gold_answer is not null) as is_gold
      from assignments a join items i on i.id = a.item_id
      where a.id = ${assignmentId} and a.annotator_id = ${annotatorId} and a.campaign_id = ${campaignId}
      for update of i, a`),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    itemId: Number(r.item_id),
    status: r.status,
    leasedAt: new Date(r.leased_at),
    expiresAt: new Date(r.expires_at),
    judgmentCount: r.judgment_count,
    isGold: r.is_gold,
  };
}

/** Live leases on an item held by people other than `annotatorId` (the promises a late submit must respect). */
export async function countOtherLiveLeases(tx: Tx, itemId: number, annotatorId: string, now: Date): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await tx.execute(sql`
      select count(*)::int as n from assignments
      where item_id = ${itemId} and annotator_id <> ${annotatorId} and status = 'leased' and expires_at > ${now.toISOString()}::timestamptz`),
  );
  return rows[0]?.n ?? 0;
}

export async function insertJudgment(
  tx: Tx,
  j: { campaignId: string; itemId: number; annotatorId: string; value: number | string; rationale: string | null; timeTakenMs: number; guidelinesVersion: number; now: Date },
): Promise<number> {
  const [row] = await tx
    .insert(judgments)
    .values({
      campaignId: j.campaignId,
      itemId: j.itemId,
      annotatorId: j.annotatorId,
      value: j.value,
      rationale: j.rationale,
      timeTakenMs: j.timeTakenMs,
      guidelinesVersion: j.guidelinesVersion,
      createdAt: j.now,
      updatedAt: j.now,
    })
    .returning({ id: judgments.id });
  return row!.id;
}

export async function bumpJudgmentCount(tx: Tx, itemId: number, now: Date): Promise<void> {
  await tx
    .update(items)
    .set({ judgmentCount: sql`${items.judgmentCount} + 1`, updatedAt: now })
    .where(eq(items.id, itemId));
}

export async function finishAssignment(
  tx: Tx,
  assignmentId: number,
  status: "submitted" | "skipped" | "expired",
  now: Date,
  skipReason: string | null = null,
): Promise<void> {
  await tx.update(assignments).set({ status, finishedAt: now, skipReason }).where(eq(assignments.id, assignmentId));
}

export async function insertFlag(
  tx: Tx,
  f: { campaignId: string; itemId: number; userId: string; reason: "harmful" | "broken" | "unclear" | "wrong_language" | "other"; note: string | null },
): Promise<number | null> {
  const rows = await tx
    .insert(flags)
    .values(f)
    .onConflictDoNothing({ target: [flags.itemId, flags.userId] })
    .returning({ id: flags.id });
  return rows[0]?.id ?? null;
}

/** One of this person's judgments in a campaign, locked for an edit. */
export async function lockOwnJudgment(tx: Tx, campaignId: string, annotatorId: string, judgmentId: number) {
  const [row] = await tx
    .select({ id: judgments.id, itemId: judgments.itemId, value: judgments.value, rationale: judgments.rationale, editCount: judgments.editCount })
    .from(judgments)
    .where(and(eq(judgments.id, judgmentId), eq(judgments.campaignId, campaignId), eq(judgments.annotatorId, annotatorId)))
    .for("update");
  return row ?? null;
}

export async function updateJudgmentValue(tx: Tx, judgmentId: number, value: number | string, rationale: string | null, now: Date) {
  await tx
    .update(judgments)
    .set({ value, rationale, editCount: sql`${judgments.editCount} + 1`, updatedAt: now })
    .where(eq(judgments.id, judgmentId));
}
