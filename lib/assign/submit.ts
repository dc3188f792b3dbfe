import type { Db } from "@/db";
import { finishAssignment, insertFlag, judgmentOfAssignment, lockAssignment, submitInOneStatement } from "@/db/queries/judging";
import type { Campaign } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { isOnScale } from "@/lib/validation/campaign";

type WorkCampaign = Pick<Campaign, "id" | "k" | "kMin" | "agreeDistance" | "status" | "rubric" | "guidelinesVersion">;

// A 'retry' needs another submit (or, for a late submit, another lease) on the same item to have committed in the
// instant between this statement's snapshot and its row lock; each retry takes a fresh snapshot after that commit.
// More than a few in a row would need a stream of writes on one item, which its target (at most k) rules out.
const MAX_SUBMIT_TRIES = 8;

export function assertOpen(campaign: Pick<Campaign, "status">): void {
  if (campaign.status !== "active") {
    throw new AppError("conflict", `This campaign is ${campaign.status}; it does not accept ratings now.`);
  }
}

export type SubmitInput = { assignmentId: number; value: number | string; rationale?: string | null; now?: Date };

/**
 * Record one rating in one statement (db/queries/judging.ts submitInOneStatement): lock the item and the
 * assignment, check the lease, insert the judgment, bump items.judgment_count, mark the assignment submitted.
 * The item lock is what makes k a hard bound: every writer of judgment_count takes it first.
 *
 * Adaptive k (campaign kMin set): the bound is the item's target — kMin until its first kMin ratings disagree,
 * then k (k_max). The kMin-th rating decides, in the same statement (lib/assign/adaptive-k.ts for the rule).
 *
 * Late submit (the lease expired): accepted only while judgment_count plus other people's live leases is
 * still below the item's target (k, or its adaptive target), i.e. only when nobody was promised the slot in the meantime; otherwise the assignment is
 * closed as `expired`, nothing else changes and the caller gets 409. Gold items are checks on people and are
 * not bounded by k.
 *
 * Idempotent per assignment: submitting the same value and rationale for an assignment already submitted answers
 * with the stored judgment (replayed: true) and writes nothing; a different value is a 409.
 */
export async function submitJudgment(db: Db, campaign: WorkCampaign, annotatorId: string, input: SubmitInput): Promise<{ judgmentId: number; itemId: number; replayed?: true }> {
  assertOpen(campaign);
  if (!isOnScale(campaign.rubric, input.value)) {
    throw new AppError("bad_request", `value: ${JSON.stringify(input.value)} is not on this campaign's scale`, { field: "value" });
  }
  const params = {
    campaignId: campaign.id,
    annotatorId,
    assignmentId: input.assignmentId,
    k: campaign.k,
    kMin: campaign.kMin,
    agreeDistance: campaign.agreeDistance,
    ordinal: campaign.rubric.type === "likert",
    value: input.value,
    rationale: input.rationale ?? null,
    guidelinesVersion: campaign.guidelinesVersion,
    // Absent: the database's clock (db/queries/judging.ts says why).
    now: input.now ?? null,
  };
  let r = await submitInOneStatement(db, params);
  for (let tries = 1; r.verdict === "retry" && tries < MAX_SUBMIT_TRIES; tries++) r = await submitInOneStatement(db, params);
  switch (r.verdict) {
    case "ok":
      return { judgmentId: r.judgmentId!, itemId: r.itemId! };
    case "missing":
      throw new AppError("not_found", "This item is not leased to you.");
    case "submitted": {
      // The assignment is the submit's idempotency key: a retry of the same rating (its first answer was lost to
      // a network or database outage) is acknowledged again, with the judgment stored the first time.
      const first = await judgmentOfAssignment(db, { campaignId: campaign.id, annotatorId, assignmentId: input.assignmentId, value: input.value, rationale: input.rationale ?? null });
      if (first?.same) {
        return { judgmentId: first.id, itemId: first.itemId, replayed: true };
      }
      throw new AppError("conflict", "You already rated this item; change it from your history.");
    }
    case "retry":
      // Nothing was written; the rating page resends on 503 (Retry-After).
      throw Object.assign(new Error("submit: the item kept changing under this rating; try again"), { code: "40001" });
    case "full":
      throw new AppError("conflict", "This item already has enough ratings (your lease expired, or it filled up meanwhile). Nothing was saved; here is another one.");
    default:
      throw new AppError("conflict", `This assignment is ${r.verdict}; ask for a new item.`);
  }
}

/** Skip: release the lease for good (the item is not offered to this person again). */
export async function skipAssignment(db: Db, campaign: Pick<Campaign, "id" | "status">, annotatorId: string, assignmentId: number, reason: string | null, now = new Date()) {
  assertOpen(campaign);
  await db.transaction(async (tx) => {
    const a = await lockAssignment(tx, campaign.id, annotatorId, assignmentId);
    if (!a) throw new AppError("not_found", "This item is not leased to you.");
    if (a.status !== "leased") throw new AppError("conflict", `This assignment is already ${a.status}.`);
    await finishAssignment(tx, a.id, "skipped", now, reason?.trim() || null);
  });
}

/** Flag: the item goes to the researcher's review list, and this person's lease is released like a skip. */
export async function flagAssignment(
  db: Db,
  campaign: Pick<Campaign, "id" | "status">,
  annotatorId: string,
  assignmentId: number,
  flag: { reason: "harmful" | "broken" | "unclear" | "wrong_language" | "other"; note?: string | null },
  now = new Date(),
) {
  assertOpen(campaign);
  await db.transaction(async (tx) => {
    const a = await lockAssignment(tx, campaign.id, annotatorId, assignmentId);
    if (!a) throw new AppError("not_found", "This item is not leased to you.");
    if (a.status !== "leased") throw new AppError("conflict", `This assignment is already ${a.status}.`);
    const note = flag.note?.trim() || null;
    const flagId = await insertFlag(tx, { campaignId: campaign.id, itemId: a.itemId, userId: annotatorId, reason: flag.reason, note });
    await finishAssignment(tx, a.id, "skipped", now, `flagged: ${flag.reason}`);
    await recordAudit(tx, {
      actorId: annotatorId,
      action: "item.flag",
      targetType: "item",
      targetId: String(a.itemId),
      campaignId: campaign.id,
      details: { reason: flag.reason, note, flagId },
    });
  });
}
