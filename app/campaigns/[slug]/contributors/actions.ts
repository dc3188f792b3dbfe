"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { loadCampaign } from "@/lib/campaigns/access";
import { closeFlag, flagDecisionSchema } from "@/lib/campaigns/flags";

// Resolve or dismiss a flag from the contributors page (owners and campaign researchers); audited as flag.resolve.
export const resolveFlagAction = action(
  flagDecisionSchema.extend({ slug: z.string().min(1).max(200), flagId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
  async ({ slug, flagId, ...decision }, { user, db, ip }) => {
    const { campaign } = await loadCampaign(user, slug, "campaign:edit");
    await closeFlag(db, campaign.id, flagId, decision, { actorId: user.id, ip });
    revalidatePath(`/campaigns/${slug}/contributors`);
    // The item browser's item pages list the same flags with the same form.
    revalidatePath(`/campaigns/[slug]/items/[item]`, "page");
    return { success: decision.status === "resolved" ? "Flag resolved." : "Flag dismissed." };
  },
);
