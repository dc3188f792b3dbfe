import Link from "next/link";
import { can, type Actor, type CampaignAccess } from "@/lib/auth/permissions";

/** Link from the campaign page to its exports, for the people allowed to export (auditors, researchers). */
export function ExportsLink({ user, access, slug }: { user: Actor; access: CampaignAccess; slug: string }) {
  if (!can(user, "export:create", access)) return null;
  return (
    <Link href={`/campaigns/${slug}/exports`} className="ml-2 text-sm font-semibold text-indigo-700 hover:underline">
      Exports
    </Link>
  );
}
