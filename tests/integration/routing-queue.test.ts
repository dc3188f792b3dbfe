import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { auditEvents, items, routingRuns, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { createCampaign } from "@/lib/campaigns/manage";
import { importItems } from "@/lib/ingest/import-items";
import { allJobs } from "@/lib/jobs/all";
import { startWorker, type RunningWorker } from "@/lib/jobs/worker";
import { routingStatus, scheduleRouting, stopRoutingQueue } from "@/lib/routing/schedule";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, type TestDb } from "./backends";

// Background routing: pg-boss on PostgreSQL (worked here by an in-process worker, as scripts/worker.ts does), the
// same job in the app process on PGlite. Either way a run lands and its state is the job_states row.
describe.each(backends())("background routing on $name", (backend) => {
  let t: TestDb;
  let worker: RunningWorker | undefined;
  const saved = process.env.DATABASE_URL;
  const status = async (id: string) => (await routingStatus(t.db, id)).state;

  beforeAll(async () => {
    t = await backend.open();
    await seedDemo(t.db, { items: 20 });
    // scheduleRouting picks pg-boss when DATABASE_URL is set: point it at this test's own database.
    if (backend.name === "postgres") {
      process.env.DATABASE_URL = t.url;
      worker = await startWorker(t.db, allJobs);
    } else delete process.env.DATABASE_URL;
  });
  afterAll(async () => {
    await stopRoutingQueue();
    await worker?.stop();
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
    await expect.poll(() => status(c.id), { timeout: 10_000 }).toBe("idle");
    const rows = await t.db.select().from(items).where(eq(items.campaignId, c.id));
    expect(rows.every((r) => r.tailScore !== null && r.inclusionProb !== null)).toBe(true);
    expect(rows.some((r) => r.routed)).toBe(true);
    const audit = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "routing.run"));
    expect(audit.some((a) => a.campaignId === c.id)).toBe(true);
  });

  it("never runs two routings of one campaign at once: five requests at once give one run and at most one more", async () => {
    const [u] = await t.db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo"));
    const c = await createCampaign(t.db, campaignCreateSchema.parse({ name: "Stampede", rubric: { type: "likert", min: 1, max: 5 }, tailMethod: "text" }), { actorId: u!.id });
    await importItems(t.db, c, (async function* () { yield fs.readFileSync("public/examples/items.jsonl"); })(), { format: "jsonl", actorId: u!.id });
    const results = await Promise.all(Array.from({ length: 5 }, () => scheduleRouting(t.db, c.id, u!.id)));
    // pg-boss "stately": per campaign at most one job queued and one running; the other sends are refused (null).
    if (backend.name === "postgres") expect(results.filter((r) => r.jobId).length).toBeLessThanOrEqual(2);
    let maxActive = 0;
    const runs = async () => (await t.db.select().from(routingRuns).where(eq(routingRuns.campaignId, c.id))).length;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (backend.name === "postgres") {
        const [row] = (await t.db.execute(sql`select count(*)::int as n from pgboss.job where name = 'route-campaign' and singleton_key = ${c.id} and state = 'active'`)) as unknown as { n: number }[];
        maxActive = Math.max(maxActive, row?.n ?? 0);
      } else maxActive = Math.max(maxActive, (await status(c.id)) === "running" ? 1 : 0);
      if ((await runs()) >= 1 && (await status(c.id)) === "idle") break;
      if (Date.now() > deadline) throw new Error("routing did not finish in 60 s");
      await new Promise((r) => setTimeout(r, 25));
    }
    // Let a queued follow-up (if any) finish too.
    await new Promise((r) => setTimeout(r, 1500));
    await expect.poll(() => status(c.id), { timeout: 30_000 }).toBe("idle");
    expect(maxActive).toBeLessThanOrEqual(1);
    expect(await runs()).toBeGreaterThanOrEqual(1);
    expect(await runs()).toBeLessThanOrEqual(2);
  });
});
