import Link from "next/link";
import { can, type Actor, type CampaignAccess } from "@/lib/auth/permissions";

/** Links from the campaign page to the researcher's pages, shown only to people who may use them. */
export function ResearcherLinks({ user, access, slug }: { user: Actor; access: CampaignAccess; slug: string }) {
  const links: [string, string][] = [];
  if (can(user, "judge:read", access)) links.push([`/campaigns/${slug}/overview`, "Overview"], [`/campaigns/${slug}/items`, "Browse items"]);
  if (can(user, "campaign:edit", access)) links.push([`/campaigns/${slug}/import`, "Import items"], [`/campaigns/${slug}/edit`, "Settings"]);
  if (links.length === 0) return null;
  return (
    <nav aria-label="Campaign tools" className="flex flex-wrap gap-2">
      {links.map(([href, label]) => (
        <Link key={href} href={href} className="rounded-md bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50">{label}</Link>
      ))}
    </nav>
  );
}
