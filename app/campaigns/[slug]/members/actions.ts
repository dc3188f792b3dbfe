"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { loadCampaign } from "@/lib/campaigns/access";
import { cancelInvite, inviteMember, removeMember } from "@/lib/campaigns/invites";

const slug = z.string().min(1).max(200);
const role = z.enum(["researcher", "annotator", "auditor"]);

// Invite by email (or change an existing member's role). Owners and campaign researchers only.
export const inviteAction = action(
  z.object({ slug, email: z.string().trim().max(254).pipe(z.email("Enter a valid email address")), role }),
  async (input, { user, db, ip }) => {
    const { campaign } = await loadCampaign(user, input.slug, "campaign:edit");
    const { status } = await inviteMember(db, { campaignId: campaign.id, ownerId: campaign.ownerId, actorId: user.id, email: input.email, role: input.role, ip });
    revalidatePath(`/campaigns/${input.slug}/members`);
    return { success: status === "pending" ? `Invitation saved: ${input.email} joins as ${input.role} when they sign up.` : `${input.email} is now ${input.role}.` };
  },
);

export const removeMemberAction = action(z.object({ slug, userId: z.uuid() }), async (input, { user, db, ip }) => {
  const { campaign } = await loadCampaign(user, input.slug, "campaign:edit");
  await removeMember(db, { campaignId: campaign.id, ownerId: campaign.ownerId, actorId: user.id, userId: input.userId, ip });
  revalidatePath(`/campaigns/${input.slug}/members`);
  return { success: "Member removed." };
});

export const cancelInviteAction = action(z.object({ slug, email: z.string().max(254) }), async (input, { user, db }) => {
  const { campaign } = await loadCampaign(user, input.slug, "campaign:edit");
  await cancelInvite(db, { campaignId: campaign.id, actorId: user.id, email: input.email });
  revalidatePath(`/campaigns/${input.slug}/members`);
  return { success: "Invitation cancelled." };
});
