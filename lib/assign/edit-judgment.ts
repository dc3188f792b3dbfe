import type { Db } from "@/db";
import { lockJudgmentVersions } from "@/db/queries/contributor";
import { lockOwnJudgment, updateJudgmentValue } from "@/db/queries/judging";
import type { Campaign } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { isOnScale } from "@/lib/validation/campaign";

/** Why a rating of a superseded item version cannot change (shown in the history too). */
export const SUPERSEDED_RATING =
  "The researcher re-imported this item with different content; your rating stays with the version you saw and is not counted for the new one.";

/**
 * A contributor changes one of their own ratings. Allowed until the campaign closes, and only while the item
 * still has the content the rating was given on (a re-import that changed it leaves the rating with the old
 * version: editing it would be a rating of text nobody sees any more). The change bumps judgments.edit_count
 * and leaves an audit event with the old and new values, so reports can tell.
 */
export async function editOwnJudgment(
  db: Db,
  campaign: Pick<Campaign, "id" | "status" | "rubric">,
  annotatorId: string,
  judgmentId: number,
  input: { value: number | string; rationale?: string | null; now?: Date },
): Promise<void> {
  if (campaign.status === "closed") throw new AppError("conflict", "This campaign is closed; its ratings can no longer change.");
  if (!isOnScale(campaign.rubric, input.value)) {
    throw new AppError("bad_request", `value: ${JSON.stringify(input.value)} is not on this campaign's scale`, { field: "value" });
  }
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    const j = await lockOwnJudgment(tx, campaign.id, annotatorId, judgmentId);
    if (!j) throw new AppError("not_found", "Rating not found.");
    const versions = await lockJudgmentVersions(tx, j.id);
    if (versions && versions.ratedVersion < versions.currentVersion) throw new AppError("conflict", SUPERSEDED_RATING, { superseded: true });
    const rationale = input.rationale === undefined ? j.rationale : input.rationale;
    if (j.value === input.value && j.rationale === rationale) return;
    await updateJudgmentValue(tx, j.id, input.value, rationale, now);
    await recordAudit(tx, {
      actorId: annotatorId,
      action: "judgment.edit",
      targetType: "judgment",
      targetId: String(j.id),
      campaignId: campaign.id,
      details: { itemId: j.itemId, from: j.value, to: input.value, rationaleChanged: rationale !== j.rationale, editCount: j.editCount + 1 },
    });
  });
}
