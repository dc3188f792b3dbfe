import { describe, expect, it } from "vitest";
import { forbiddenText } from "@/lib/auth/refusal-text";
import { campaignFromForm } from "@/lib/validation/campaign-form";
import { campaignCreateSchema, campaignUpdateSchema } from "@/lib/validation/campaign-input";

const base = { name: "Plain words", rubricType: "likert", likertMin: "1", likertMax: "5", k: "3", confidenceThreshold: "0.6", tailThreshold: "0.8", controlRate: "0.1" };
const issues = (raw: Record<string, string>, schema: typeof campaignCreateSchema | typeof campaignUpdateSchema = campaignCreateSchema) => {
  const r = schema.safeParse(campaignFromForm(raw));
  return Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));
};

describe("campaign form messages are plain language, on the field", () => {
  it("names the field and its range instead of zod's wording", () => {
    const got = issues({ ...base, confidenceThreshold: "5", tailThreshold: "", controlRate: "0", k: "abc", budget: "1.5" });
    expect(got).toEqual({
      "routingPolicy.confidenceThreshold": "Confidence threshold c must be between 0 and 1",
      "routingPolicy.tailThreshold": "Enter the tail threshold t: a number between 0 and 1",
      "routingPolicy.controlRate": "Control rate p must be above 0 and at most 1",
      "routingPolicy.budget": "Budget must be a whole number of items, 1 or more",
      k: "Ratings per item (k) must be a whole number from 1 to 50",
    });
    for (const m of Object.values(got)) expect(m).not.toMatch(/Too big|Too small|Invalid input|expected/);
  });

  it("reports a scale mistake on the scale's own field (not a bare 'Invalid input' on the rubric)", () => {
    expect(issues({ ...base, likertMax: "1" })).toEqual({ "rubric.max": "The highest point must be above the lowest, with at most 21 points on the scale" });
    expect(issues({ ...base, rubricType: "categorical", categoricalOptions: "only one" })).toEqual({ "rubric.options": "Give at least 2 options, one per line" });
    expect(issues({ ...base, rubricType: "binary", binaryLabel0: "", binaryLabel1: "Yes" })).toEqual({ "rubric.labels.0": "Both labels need some text" });
  });

  it("trust target and δ say their open range", () => {
    expect(issues({ ...base, trustTarget: "1", trustDelta: "0" }, campaignUpdateSchema)).toEqual({
      "routingPolicy.trustTarget": "Trust target must be between 0 and 1, not 0 or 1 itself",
      "routingPolicy.trustDelta": "Error level δ must be between 0 and 1, not 0 or 1 itself",
    });
  });
});

describe("the 403 page's text fits who asks", () => {
  it("names the role a page needs", () => {
    expect(forbiddenText("/campaigns/x/report", { role: "contributor", memberRole: null, isOwner: false }).need).toMatch(/owner, researcher or auditor/);
    expect(forbiddenText("/campaigns/x/edit", { role: "researcher", memberRole: "auditor", isOwner: false })).toEqual({
      need: "this campaign's owner or a researcher member, with a researcher account",
      advice: "You are an auditor of this campaign. Its owner can change your role on the Members page.",
    });
    expect(forbiddenText("/campaigns/new", { role: "contributor", memberRole: null, isOwner: false }).need).toBe("a researcher account");
  });

  it("never tells an owner to ask the owner", () => {
    for (const path of ["/campaigns/x/rate", "/campaigns/x/edit", "/campaigns/x/members"]) {
      const t = forbiddenText(path, { role: "contributor", memberRole: "owner", isOwner: true });
      expect(`${t.need} ${t.advice}`).not.toMatch(/ask the campaign's owner|Its owner can/i);
    }
    expect(forbiddenText("/campaigns/x/rate", { role: "researcher", memberRole: "owner", isOwner: true }).advice).toMatch(/You run this campaign/);
  });
});
