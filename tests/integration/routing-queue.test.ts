import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditEvents, items, routingRuns, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { createCampaign } from "@/lib/campaigns/manage";
import { importItems } from "@/lib/ingest/import-items";
import { routingStatus, scheduleRouting, stopRoutingQueue } from "@/lib/routing/schedule";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, type TestDb } from "./backends";

// Background routing: pg-boss on PostgreSQL, the same job inline on PGlite. Either way a run lands.
describe.each(backends())("background routing on $name", (backend) => {
  let t: TestDb;
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    t = await backend.open();
    await seedDemo(t.db, { items: 20 });
    // scheduleRouting picks pg-boss when DATABASE_URL is set: point it at this test's own database.
    if (backend.name === "postgres") process.env.DATABASE_URL = t.url;
    else delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    await stopRoutingQueue();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    await t?.drop();
  });

  it("routes a campaign in the background and records the run with its seed", async () => {
    const [u] = await t.db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo"));
    const c = await createCampaign(t.db, campaignCreateSchema.parse({ name: "Queued", rubric: { type: "likert", min: 1, max: 5 }, tailMethod: "text" }), { actorId: u!.id });
    await importItems(t.db, c, (async function* () { yield fs.readFileSync("public/examples/items.jsonl"); })(), { format: "jsonl", actorId: u!.id });
    const scheduled = await scheduleRouting(t.db, c.id, u!.id);
    expect(scheduled.mode).toBe(backend.name === "postgres" ? "queued" : "inline");
    await expect.poll(async () => (await t.db.select().from(routingRuns).where(eq(routingRuns.campaignId, c.id))).length, { timeout: 30_000 }).toBe(1);
    await expect.poll(() => routingStatus(c.id).state, { timeout: 10_000 }).toBe("idle");
    const rows = await t.db.select().from(items).where(eq(items.campaignId, c.id));
    expect(rows.every((r) => r.tailScore !== null && r.inclusionProb !== null)).toBe(true);
    expect(rows.some((r) => r.routed)).toBe(true);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "routing.run"));
    expect(audit.some((a) => a.campaignId === c.id)).toBe(true);
  });
});
