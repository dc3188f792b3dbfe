import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { loadCampaignById } from "@/lib/campaigns/access";
import { invitePath } from "@/lib/campaigns/invite-link";
import { inviteMember } from "@/lib/campaigns/invites";
import { listMembers } from "@/lib/campaigns/members";

const params = z.object({ id: z.string() });

// GET /api/v1/campaigns/{id}/members – members and pending invitations (campaign owners and researchers).
export const GET = apiRoute({ params }, async ({ actor, params, db }) => {
  const { campaign } = await loadCampaignById(actor, params.id, "campaign:edit");
  return listMembers(db, campaign.id);
});

// POST /api/v1/campaigns/{id}/members – invite by email with a role (annotator, researcher, auditor). The answer
// carries `link`, the path of the invitation link to send (Margin sends no email; lib/campaigns/invite-link.ts).
export const POST = apiRoute(
  {
    params,
    body: z.object({ email: z.string().trim().max(254).pipe(z.email()), role: z.enum(["researcher", "annotator", "auditor"]) }),
    maxBodyBytes: 4096,
  },
  async ({ actor, params, body, db, ip }) => {
    const { campaign } = await loadCampaignById(actor, params.id, "campaign:edit");
    const result = await inviteMember(db, { campaignId: campaign.id, ownerId: campaign.ownerId, actorId: actor!.id, email: body.email, role: body.role, ip });
    return { ...result, link: invitePath(campaign.slug, body.email.toLowerCase()) };
  },
);
