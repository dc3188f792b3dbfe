// One item's page and API answer (docs/item-browser.md): content, judge verdict, every rating under its rater's
// pseudonym (the same one exports use: never a name or an email), inclusion records, versions and flags.
import type { Db } from "@/db";
import { consensusOf } from "@/db/queries/browse";
import { findItem, itemFlags, itemInclusion, itemRatings, itemVersionHistory, type ItemDetail, type ItemFlag, type ItemInclusion, type ItemVersionRow } from "@/db/queries/item-detail";
import type { Campaign } from "@/db/schema";
import { annotatorPseudonym, externalPseudonym, pseudonymSecret } from "@/lib/export/pseudonym";
import { rubricValues } from "@/lib/validation/campaign";
import { browseCampaign } from "./index";

export type RatingView = {
  id: number;
  rater: string;
  imported: boolean;
  value: number | string;
  rationale: string | null;
  itemVersion: number;
  /** On the item's current version (older ones were ratings of content since replaced). */
  current: boolean;
  excluded: boolean;
  timeTakenMs: number | null;
  editCount: number;
  createdAt: string;
  updatedAt: string;
};
export type FlagView = Omit<ItemFlag, "userId" | "resolvedBy"> & { flaggedBy: string; resolvedBy: string | null };

export type ItemView = {
  item: ItemDetail;
  consensus: { value: number | string; ratings: number; agree: boolean | null } | null;
  ratings: RatingView[];
  inclusion: ItemInclusion[];
  versions: ItemVersionRow[];
  flags: FlagView[];
};

type CampaignForDetail = Pick<Campaign, "id" | "rubric" | "stratificationKey" | "consensus">;

/** The item (by external id, else numeric id) with everything the page shows; null when the campaign has no such item. */
export async function loadItemView(db: Db, campaign: CampaignForDetail, ref: string): Promise<ItemView | null> {
  const item = await findItem(db, campaign.id, ref);
  if (!item) return null;
  const [ratings, inclusion, versions, flags, cons] = await Promise.all([
    itemRatings(db, campaign.id, item.id),
    itemInclusion(db, campaign.id, item.id),
    itemVersionHistory(db, campaign.id, item.id),
    itemFlags(db, campaign.id, item.id),
    consensusOf(db, browseCampaign(campaign), [item.id]),
  ]);
  const secret = pseudonymSecret();
  const person = (userId: string) => annotatorPseudonym(secret, campaign.id, userId);
  const k = cons.get(item.id);
  const value = k ? rubricValues(campaign.rubric)[k.code] : undefined;
  return {
    item,
    consensus: k && value !== undefined ? { value, ratings: k.m, agree: k.judge === null ? null : k.judge === k.code } : null,
    ratings: ratings.map((r) => ({
      id: r.id,
      rater: r.annotatorId ? person(r.annotatorId) : externalPseudonym(secret, campaign.id, r.externalRaterId ?? "", r.externalPseudonym ?? ""),
      imported: r.annotatorId === null,
      value: r.value,
      rationale: r.rationale,
      itemVersion: r.itemVersion,
      current: r.itemVersion === item.version,
      excluded: r.excluded,
      timeTakenMs: r.timeTakenMs,
      editCount: r.editCount,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    })),
    inclusion,
    versions,
    flags: flags.map(({ userId, resolvedBy, ...f }) => ({ ...f, flaggedBy: person(userId), resolvedBy: resolvedBy ? person(resolvedBy) : null })),
  };
}
