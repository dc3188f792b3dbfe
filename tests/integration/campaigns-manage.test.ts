import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { auditEvents, campaignMembers, campaigns, items, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { createCampaign, updateCampaign } from "@/lib/campaigns/manage";
import { AppError } from "@/lib/errors";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, type TestDb } from "./backends";

describe.each(backends())("campaign create and edit on $name", (backend) => {
  let t: TestDb;
  let researcherId: string;
  let demoId: string;

  beforeAll(async () => {
    t = await backend.open();
    ({ campaignId: demoId } = await seedDemo(t.db, { items: 200 }));
    const [r] = await t.db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo"));
    researcherId = r!.id;
  });
  afterAll(async () => t?.drop());

  const input = (over: Record<string, unknown> = {}) =>
    campaignCreateSchema.parse({ name: "Summaries 2026", rubric: { type: "likert", min: 1, max: 7 }, stratificationKey: "language", ...over });

  it("creates a draft owned by the researcher, with a free slug and an audit event", async () => {
    const a = await createCampaign(t.db, input(), { actorId: researcherId });
    const b = await createCampaign(t.db, input(), { actorId: researcherId });
    expect(a.slug).toBe("summaries-2026");
    expect(b.slug).toBe("summaries-2026-2");
    expect(a.status).toBe("draft");
    expect(a.tailMethod).toBe("group");
    const [m] = await t.db.select().from(campaignMembers).where(eq(campaignMembers.campaignId, a.id));
    expect(m!.role).toBe("owner");
    const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.campaignId, a.id), eq(auditEvents.action, "campaign.create")));
    expect(events).toHaveLength(1);
    await expect(createCampaign(t.db, input({ slug: "summaries-2026" }), { actorId: researcherId })).rejects.toMatchObject({ code: "conflict" });
  });

  it("validates the rubric and the policy with zod", () => {
    expect(campaignCreateSchema.safeParse({ name: "x1y", rubric: { type: "likert", min: 5, max: 1 } }).success).toBe(false);
    expect(campaignCreateSchema.safeParse({ name: "abc", rubric: { type: "binary", labels: ["No", "Yes"] }, routingPolicy: { confidenceThreshold: 2, tailThreshold: 0.5, controlRate: 0.1 } }).success).toBe(false);
  });

  it("moves status only along allowed transitions; activation needs routed items; closed is final", async () => {
    const c = await createCampaign(t.db, input({ name: "Status walk" }), { actorId: researcherId });
    await expect(updateCampaign(t.db, c.id, { status: "paused" }, { actorId: researcherId })).rejects.toMatchObject({ code: "conflict" });
    await expect(updateCampaign(t.db, c.id, { status: "active" }, { actorId: researcherId })).rejects.toThrow(/Import and route/);
    await t.db.insert(items).values({ campaignId: c.id, externalId: "x", output: "o", routed: true, inclusionProb: 1 });
    const r = await updateCampaign(t.db, c.id, { status: "active" }, { actorId: researcherId });
    expect(r.statusChanged).toBe(true);
    await updateCampaign(t.db, c.id, { status: "paused" }, { actorId: researcherId });
    await updateCampaign(t.db, c.id, { status: "closed" }, { actorId: researcherId });
    await expect(updateCampaign(t.db, c.id, { name: "Renamed" }, { actorId: researcherId })).rejects.toBeInstanceOf(AppError);
    const actions = (await t.db.select().from(auditEvents).where(eq(auditEvents.campaignId, c.id))).map((e) => e.action);
    expect(actions.filter((a) => a === "campaign.status_change")).toHaveLength(3);
  });

  it("locks the rubric once judgments exist, but lets the policy change (bumping its version, audited)", async () => {
    await expect(updateCampaign(t.db, demoId, { rubric: { type: "likert", min: 1, max: 7 } }, { actorId: researcherId })).rejects.toMatchObject({ code: "conflict" });
    const policy = { confidenceThreshold: 0.5, tailThreshold: 0.9, controlRate: 0.2 };
    const r = await updateCampaign(t.db, demoId, { routingPolicy: policy, guidelines: "New words" }, { actorId: researcherId });
    expect(r.policyChanged).toBe(true);
    expect(r.campaign.routingPolicyVersion).toBe(2);
    expect(r.campaign.guidelinesVersion).toBe(2);
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.id, demoId));
    expect(c!.routingPolicy).toEqual(policy);
    const events = await t.db.select().from(auditEvents).where(and(eq(auditEvents.campaignId, demoId), eq(auditEvents.action, "campaign.policy_change")));
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ to: policy });
  });

  it("lets the consensus change after judgments exist (the rubric stays locked), bumping updated_at for the report cache", async () => {
    const [before] = await t.db.select().from(campaigns).where(eq(campaigns.id, demoId));
    const r = await updateCampaign(t.db, demoId, { consensus: "dawid_skene" }, { actorId: researcherId });
    expect(r.campaign.consensus).toBe("dawid_skene");
    expect(r.campaign.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
    // A locked rubric is the first refusal, whatever the consensus.
    await expect(updateCampaign(t.db, demoId, { rubric: { type: "categorical", options: ["a", "b"] } }, { actorId: researcherId })).rejects.toMatchObject({ code: "conflict", details: { field: "rubric" } });
    await expect(updateCampaign(t.db, demoId, { consensus: "mean" }, { actorId: researcherId })).resolves.toMatchObject({ campaign: { consensus: "mean" } });
    await expect(createCampaign(t.db, input({ rubric: { type: "categorical", options: ["a", "b"] }, consensus: "majority" }), { actorId: researcherId })).resolves.toMatchObject({ consensus: "majority" });
    expect(() => input({ rubric: { type: "categorical", options: ["a", "b"] }, consensus: "mean" })).toThrow(/Mean needs an interval scale/);
  });
});
