import type { GlobalRole, MemberRole } from "./permissions";

/** Who is asking, as far as the 403 page needs to know: their account role and their place in the campaign. */
export type Asker = { role: GlobalRole; memberRole: MemberRole | null; isOwner: boolean; campaignStatus?: string | null };

// What each campaign page needs, in the words of the roles that grant it.
const READ = "an owner, researcher or auditor of this campaign (or an instance-wide auditor)";
const EDIT = "this campaign's owner or a researcher member, with a researcher account";

function campaignPageNeed(sub: string): string {
  if (["edit", "import", "members"].includes(sub)) return EDIT;
  if (sub === "rate") return "an annotator of this campaign (people who run or audit a campaign do not rate its items: ratings stay blind to the judge)";
  if (sub === "history") return "a member of this campaign";
  return READ;
}

/**
 * The 403 page's text for a path and the person asking: which role the page needs, and what to do about it. The
 * advice fits the asker (an owner is never told to ask the campaign's owner).
 */
export function forbiddenText(path: string | null, asker: Asker | null): { need: string; advice: string } {
  const p = (path ?? "").split(/[?#]/)[0]!;
  if (p === "/campaigns/new") {
    return { need: "a researcher account", advice: "Your account is a " + (asker?.role ?? "contributor") + " account. An administrator can make it a researcher account." };
  }
  if (p.startsWith("/admin/users")) return { need: "an administrator account", advice: "Only administrators manage accounts." };
  if (p.startsWith("/admin/audit")) return { need: "an administrator or auditor account", advice: "Ask an administrator if you need to read the instance's audit trail." };
  const m = /^\/campaigns\/[^/]+(?:\/([^/]+))?/.exec(p);
  if (!m) return { need: "a role you do not have", advice: "Ask an administrator if you think you should have access." };
  const sub = m[1] ?? "";
  const need = campaignPageNeed(sub);
  if (!asker) return { need, advice: "" };
  if (asker.isOwner || asker.memberRole === "owner") {
    if (sub === "rate") return { need, advice: "You run this campaign, so you do not rate its items. Invite annotators from the Members page." };
    if (asker.campaignStatus === "closed") return { need, advice: "This campaign is closed, so its settings no longer change." };
    return { need, advice: `You own this campaign, but your account is now a ${asker.role} account: owners change a campaign only with a researcher account. An administrator can restore it or hand the campaign to another researcher.` };
  }
  const yours = asker.memberRole ? `You are ${asker.memberRole === "auditor" ? "an auditor" : asker.memberRole === "annotator" ? "an annotator" : "a researcher"} of this campaign.` : "You are not a member of this campaign.";
  return { need, advice: `${yours} Its owner can change your role on the Members page.` };
}
