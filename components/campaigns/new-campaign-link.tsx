import { ButtonLink } from "@/components/ui/button";
import { can, type Actor } from "@/lib/auth/permissions";

/** "New campaign" for people allowed to create one (global researchers and admins). */
export function NewCampaignLink({ user }: { user: Actor }) {
  return can(user, "campaign:create") ? <ButtonLink href="/campaigns/new">New campaign</ButtonLink> : null;
}
