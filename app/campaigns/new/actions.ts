"use server";

import { redirect } from "next/navigation";
import { action } from "@/lib/actions/action";
import { can } from "@/lib/auth/permissions";
import { createCampaign } from "@/lib/campaigns/manage";
import { AppError } from "@/lib/errors";
import { formSchema } from "@/lib/validation/campaign-form";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";

export const createCampaignAction = action(formSchema(campaignCreateSchema), async (input, { user, db }) => {
  if (!can(user, "campaign:create")) throw new AppError("forbidden", "Only researchers can create campaigns.");
  const campaign = await createCampaign(db, input, { actorId: user.id });
  redirect(`/campaigns/${campaign.slug}/import`);
});
