// The one place that says who may do what. Every page, route handler and server action asks `can` /
// `requirePermission`; the proxy only redirects and is never the check.

export type GlobalRole = "contributor" | "researcher" | "auditor" | "admin";
export type MemberRole = "owner" | "researcher" | "annotator" | "auditor";

export type Permission =
  | "campaign:create"
  | "campaign:view"
  | "campaign:edit"
  | "campaign:annotate"
  | "judge:read" // AI-judge scores, confidence, rationale: never for people who only annotate (blind rating)
  | "report:read"
  | "export:create"
  | "audit:read"
  | "admin:users";

export type Actor = { id: string; role: GlobalRole } | null;
export type CampaignAccess = {
  visibility: "public" | "invite";
  status: "draft" | "active" | "paused" | "closed";
  ownerId: string;
  /** The actor's membership role in this campaign, if any. */
  memberRole: MemberRole | null;
};

const MANAGERS: readonly MemberRole[] = ["owner", "researcher"];
const READERS: readonly MemberRole[] = ["owner", "researcher", "auditor"];

export function can(actor: Actor, permission: Permission, campaign?: CampaignAccess): boolean {
  if (actor?.role === "admin") return true;
  const member = campaign?.memberRole ?? null;
  switch (permission) {
    case "campaign:create":
      return actor?.role === "researcher";
    case "admin:users":
      return false;
    case "audit:read":
      // Instance-wide for global auditors; one campaign's trail for its owners and auditors.
      if (actor?.role === "auditor") return true;
      return !!campaign && !!actor && member !== null && READERS.includes(member);
    case "campaign:view":
      if (!campaign) return false;
      if (member !== null || actor?.role === "auditor") return true;
      return campaign.visibility === "public" && campaign.status !== "draft";
    case "campaign:edit": {
      if (!campaign || !actor) return false;
      // Ownership follows the owner's current role: an owner demoted from researcher keeps reading the campaign
      // but no longer changes it (imports, exports stay with report:read rules) until an admin reassigns it.
      if (campaign.ownerId === actor.id || member === "owner") return actor.role === "researcher";
      return member !== null && MANAGERS.includes(member);
    }
    case "campaign:annotate":
      if (!campaign || !actor || campaign.status !== "active") return false;
      return member === "annotator" || (campaign.visibility === "public" && member === null);
    case "judge:read":
    case "report:read":
    case "export:create":
      if (!campaign || !actor) return false;
      if (actor.role === "auditor") return true;
      return campaign.ownerId === actor.id || (member !== null && READERS.includes(member));
  }
}
