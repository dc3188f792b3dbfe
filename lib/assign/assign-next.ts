import type { Db, Tx } from "@/db";
import { leaseNextItem, type LeasedItem } from "@/db/queries/assign";
import type { Campaign } from "@/db/schema";

export type Random = () => number;

export type AssignOptions = {
  /** The clock: injected so lease expiry can be tested without sleeping; absent, the database's (leaseNextItem). */
  now?: Date;
  /** Source of the gold draw and the pairwise side draw (seedable in tests). */
  random?: Random;
};

type AssignableCampaign = Pick<Campaign, "id" | "k" | "kMin" | "leaseMinutes" | "goldRate" | "rubric">;

/**
 * The next item for a contributor, or null when nothing is left for them. Authorisation is the caller's
 * (loadCampaign with campaign:annotate); this is the hot path and does one statement in the common case.
 * An empty answer is retried once: two tabs of the same person can race for the same item, and the loser's
 * upsert then returns nothing although other items are free.
 */
export async function assignNextItem(db: Db | Tx, campaign: AssignableCampaign, annotatorId: string, opts: AssignOptions = {}): Promise<LeasedItem | null> {
  const random = opts.random ?? Math.random;
  const params = {
    campaignId: campaign.id,
    annotatorId,
    k: campaign.k,
    kMin: campaign.kMin,
    leaseMinutes: campaign.leaseMinutes,
    now: opts.now ?? null,
    preferGold: campaign.goldRate > 0 && random() < campaign.goldRate,
    // Side randomisation for pairwise rubrics: stored on the assignment so analysis can undo it.
    swapped: campaign.rubric.type === "pairwise" && random() < 0.5,
  };
  return (await leaseNextItem(db, params)) ?? (await leaseNextItem(db, { ...params, preferGold: false }));
}
