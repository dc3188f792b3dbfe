import Link from "next/link";
import { can, type Actor, type CampaignAccess } from "@/lib/auth/permissions";

/** Links from a campaign page to the rating workspace, your history and the researcher's contributor view. */
export function CampaignWorkLinks({ slug, actor, access }: { slug: string; actor: Actor; access: CampaignAccess }) {
  const links: { href: string; label: string }[] = [];
  if (can(actor, "campaign:annotate", access)) {
    links.push({ href: `/campaigns/${slug}/rate`, label: access.memberRole ? "Rate items" : "Join and rate" });
    if (access.memberRole) links.push({ href: `/campaigns/${slug}/history`, label: "Your ratings" });
  }
  if (can(actor, "report:read", access)) links.push({ href: `/campaigns/${slug}/contributors`, label: "Contributors and flags" });
  if (links.length === 0) return null;
  return (
    <nav aria-label="Campaign work" className="flex flex-wrap gap-2">
      {links.map((l, i) => (
        <Link
          key={l.href}
          href={l.href}
          className={i === 0 ? "rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700" : "rounded-md bg-white px-3.5 py-2 text-sm font-semibold text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50"}
        >
          {l.label}
        </Link>
      ))}
    </nav>
  );
}
