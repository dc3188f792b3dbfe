import { describe, expect, it } from "vitest";
import { can, type Actor, type CampaignAccess, type MemberRole, type Permission } from "@/lib/auth/permissions";

const owner = "owner-id";
const campaign = (over: Partial<CampaignAccess> = {}): CampaignAccess => ({
  visibility: "public",
  status: "active",
  ownerId: owner,
  memberRole: null,
  ...over,
});
const user = (role: NonNullable<Actor>["role"], id = "u1"): Actor => ({ id, role });

describe("permissions", () => {
  it("never lets an annotator read judge scores, reports or exports (blind rating)", () => {
    const c = campaign({ memberRole: "annotator" });
    for (const p of ["judge:read", "report:read", "export:create", "campaign:edit", "audit:read"] as Permission[]) {
      expect(can(user("contributor"), p, c)).toBe(false);
    }
    expect(can(user("contributor"), "campaign:annotate", c)).toBe(true);
  });

  it("hides invite-only and draft campaigns from non-members", () => {
    expect(can(null, "campaign:view", campaign({ visibility: "invite" }))).toBe(false);
    expect(can(user("contributor"), "campaign:view", campaign({ status: "draft" }))).toBe(false);
    expect(can(null, "campaign:view", campaign())).toBe(true);
    expect(can(user("contributor"), "campaign:view", campaign({ visibility: "invite", memberRole: "annotator" }))).toBe(true);
  });

  it("lets owners and campaign researchers edit, and auditors read but not edit", () => {
    expect(can(user("researcher", owner), "campaign:edit", campaign())).toBe(true);
    expect(can(user("researcher"), "campaign:edit", campaign())).toBe(false);
    expect(can(user("contributor"), "campaign:edit", campaign({ memberRole: "researcher" }))).toBe(true);
    const aud = campaign({ memberRole: "auditor" });
    expect(can(user("contributor"), "report:read", aud)).toBe(true);
    expect(can(user("contributor"), "export:create", aud)).toBe(true);
    expect(can(user("contributor"), "campaign:edit", aud)).toBe(false);
    expect(can(user("contributor"), "campaign:annotate", aud)).toBe(false);
  });

  it("lets an owner demoted from researcher read their campaign but no longer change it", () => {
    const mine = campaign({ memberRole: "owner" });
    expect(can(user("researcher", owner), "campaign:edit", mine)).toBe(true);
    for (const role of ["contributor", "auditor"] as const) {
      expect(can(user(role, owner), "campaign:edit", mine)).toBe(false);
      expect(can(user(role, owner), "report:read", mine)).toBe(true);
    }
    expect(can(user("admin"), "campaign:edit", mine)).toBe(true);
  });

  it("allows annotation only on active campaigns, and only to signed-in people", () => {
    const roles: (MemberRole | null)[] = ["annotator", null];
    for (const memberRole of roles) {
      expect(can(null, "campaign:annotate", campaign({ memberRole }))).toBe(false);
      for (const status of ["draft", "paused", "closed"] as const) {
        expect(can(user("contributor"), "campaign:annotate", campaign({ memberRole, status }))).toBe(false);
      }
    }
    expect(can(user("contributor"), "campaign:annotate", campaign({ visibility: "invite" }))).toBe(false);
  });

  it("reserves instance administration to admins and campaign creation to researchers", () => {
    expect(can(user("admin"), "admin:users")).toBe(true);
    for (const r of ["contributor", "researcher", "auditor"] as const) expect(can(user(r), "admin:users")).toBe(false);
    expect(can(user("researcher"), "campaign:create")).toBe(true);
    expect(can(user("contributor"), "campaign:create")).toBe(false);
    expect(can(null, "campaign:create")).toBe(false);
    expect(can(user("auditor"), "audit:read")).toBe(true);
    expect(can(user("contributor"), "audit:read")).toBe(false);
  });
});
