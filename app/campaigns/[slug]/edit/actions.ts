"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { loadCampaign } from "@/lib/campaigns/access";
import { updateCampaign } from "@/lib/campaigns/manage";
import { scheduleRouting } from "@/lib/routing/schedule";
import { formSchema } from "@/lib/validation/campaign-form";
import { campaignStatusValues, campaignUpdateSchema } from "@/lib/validation/campaign-input";

const withSlug = z.object({ slug: z.string().min(1).max(100) });

export const updateCampaignAction = action(
  formSchema(campaignUpdateSchema.and(withSlug), (raw) => ({ slug: raw.slug })),
  async ({ slug, ...patch }, { user, db }) => {
    const { campaign } = await loadCampaign(user, slug, "campaign:edit");
    const result = await updateCampaign(db, campaign.id, patch, { actorId: user.id });
    const tailChanged = result.campaign.tailMethod !== campaign.tailMethod || result.campaign.stratificationKey !== campaign.stratificationKey;
    if (result.policyChanged || tailChanged) await scheduleRouting(db, campaign.id, user.id);
    revalidatePath(`/campaigns/${slug}`);
    return { success: result.policyChanged || tailChanged ? "Saved. Items are being re-routed with the new settings." : "Saved." };
  },
);

export const changeStatusAction = action(withSlug.extend({ status: z.enum(campaignStatusValues) }), async ({ slug, status }, { user, db }) => {
  const { campaign } = await loadCampaign(user, slug, "campaign:edit");
  await updateCampaign(db, campaign.id, { status }, { actorId: user.id });
  revalidatePath(`/campaigns/${slug}`);
  return { success: `Campaign is now ${status}.` };
});

export const rerouteAction = action(withSlug, async ({ slug }, { user, db }) => {
  const { campaign } = await loadCampaign(user, slug, "campaign:edit");
  await scheduleRouting(db, campaign.id, user.id);
  return { success: "Re-routing started." };
});
