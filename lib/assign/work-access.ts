import { can, type Actor } from "@/lib/auth/permissions";
import { loadCampaignPrefetched } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";

/**
 * Load a campaign for rating work: visible to the actor (else 404), open (else 409 with the status, clearer
 * than a bare 403), annotate permission (else 403), and a member (public campaigns are joined first, so every
 * rater has a membership row a researcher can exclude from reports).
 */
export async function loadForWork(actor: Actor, slug: string, prefetched?: Promise<unknown>) {
  const loaded = await loadCampaignPrefetched(actor, slug, "campaign:view", prefetched);
  if (!actor) throw new AppError("unauthorized", "Sign in to rate items.");
  if (loaded.campaign.status !== "active") {
    throw new AppError("conflict", `This campaign is ${loaded.campaign.status}; it does not accept ratings now.`);
  }
  if (!can(actor, "campaign:annotate", loaded.access)) throw new AppError("forbidden", "You cannot rate items in this campaign.");
  if (loaded.memberRole === null) throw new AppError("forbidden", "Join this campaign before rating its items.");
  return loaded;
}
