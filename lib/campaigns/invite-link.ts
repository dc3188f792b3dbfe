/**
 * The link to send someone invited to a campaign: the sign-up page with their email filled in, which then lands on
 * the campaign. Invitations are claimed by email at sign-up (lib/campaigns/invites.ts claimInvites), so the link
 * carries no secret: it only saves typing. Someone who already has an account follows "Sign in" from there (the
 * campaign is kept as where to go next); someone signed in goes straight to the campaign.
 */
export function invitePath(slug: string, email: string): string {
  return `/signup?${new URLSearchParams({ email, callbackUrl: `/campaigns/${slug}` }).toString()}`;
}
