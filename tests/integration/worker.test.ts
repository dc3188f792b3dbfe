/**
 * The worker process (scripts/worker.ts, lib/jobs/): real child processes on a fresh PostgreSQL database. Two workers
 * and two queue clients (two "instances") never run two routings of one campaign at once; a worker killed with
 * SIGKILL mid-run leaves nothing half-written, and once its attempt expires the other worker runs the job to the end.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import PgBoss from "pg-boss";
import { rowsOf } from "@/db";
import { upsertItems } from "@/db/queries/ingest";
import { campaigns, inclusionRecords, routingRuns, users } from "@/db/schema";
import type { ItemRow } from "@/lib/ingest/row";
import { retryOptions } from "@/lib/jobs/define";
import { readJobState } from "@/lib/jobs/state";
import { routingJob, routingStatus, scheduleRouting, stopRoutingQueue } from "@/lib/routing/schedule";
import { backends, type TestDb } from "./backends";

const workerScript = path.join(process.cwd(), "scripts", "worker.ts");

describe("worker without a database server", () => {
  it("exits non-zero and says jobs run in the app", () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.DATABASE_DIRECT_URL;
    const out = spawnSync(process.execPath, ["--import", "tsx", workerScript], { env, encoding: "utf8", timeout: 60_000 });
    expect(out.status).not.toBe(0);
    expect(out.status).not.toBeNull();
    expect(out.stderr).toContain("the embedded default has no separate worker; jobs run in the app");
  });
});

// Worker processes need PostgreSQL: pg-boss cannot reach the embedded PGlite, which has no separate worker.
describe.each(backends().filter((b) => b.name === "postgres"))("worker processes on $name", (backend) => {
  let t: TestDb;
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const saved = { ...process.env };

  // Short limits so the test sees an expiry and a retry within seconds; the defaults are minutes.
  const jobEnv = { JOB_MAINTENANCE_SECONDS: "1", JOB_POLL_SECONDS: "0.5", JOB_STALLED_SECONDS: "3", JOB_RETRY_DELAY_SECONDS: "1", JOB_ROUTING_EXPIRE_SECONDS: "60" };

  function startWorkerProcess(): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", workerScript], { env: { ...process.env, ...jobEnv, DATABASE_URL: t.directUrl ?? t.url!, DATABASE_POOLER: "" }, stdio: ["ignore", "pipe", "pipe"] });
    const tag = `[worker ${child.pid}]`;
    child.stdout!.on("data", (d: Buffer) => logs.push(`${tag} ${d}`));
    child.stderr!.on("data", (d: Buffer) => logs.push(`${tag} ${d}`));
    children.push(child);
    return child;
  }
  async function waitStarted(child: ChildProcess) {
    const deadline = Date.now() + 60_000;
    while (!logs.some((l) => l.startsWith(`[worker ${child.pid}]`) && l.includes("working route-campaign"))) {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${logs.join("")}`);
      if (Date.now() > deadline) throw new Error(`worker did not start in 60 s:\n${logs.join("")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function campaignWith(n: number, slug: string): Promise<{ campaignId: string; userId: string }> {
    const [u] = await t.db.insert(users).values({ email: `${slug}@x`, name: slug, role: "researcher" }).returning();
    const [c] = await t.db
      .insert(campaigns)
      .values({ slug, name: slug, rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 }, tailMethod: "text", ownerId: u!.id })
      .returning();
    for (let s = 0; s < n; s += 2000) {
      const batch: ItemRow[] = [];
      for (let i = s; i < Math.min(n, s + 2000); i++) batch.push({ external_id: `${slug}-${i}`, input: `question ${i % 97} about ${i % 13}`, output: `answer ${i % 89} ${"xyz".repeat(i % 5)}`, metadata: {}, judge_confidence: (i % 100) / 100 });
      await upsertItems(t.db, c!.id, batch);
    }
    return { campaignId: c!.id, userId: u!.id };
  }
  const runsOf = async (campaignId: string) => t.db.select().from(routingRuns).where(eq(routingRuns.campaignId, campaignId));
  const recordsOf = async (campaignId: string) =>
    rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from ${inclusionRecords} r join ${routingRuns} u on u.id = r.run_id where u.campaign_id = ${campaignId}`))[0]!.n;
  async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(v)})\n${logs.join("")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    t = await backend.open();
    // This process enqueues (as a web instance does): pg-boss on this test's own database, with the test's limits.
    Object.assign(process.env, jobEnv, { DATABASE_URL: t.url });
    const a = startWorkerProcess();
    const b = startWorkerProcess();
    await Promise.all([waitStarted(a), waitStarted(b)]);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await stopRoutingQueue();
    for (const k of Object.keys(jobEnv)) delete process.env[k];
    Object.assign(process.env, saved);
    await t?.drop();
  });

  it("two instances enqueueing and two workers: the runs of one campaign never overlap in time", async () => {
    const { campaignId, userId } = await campaignWith(2000, "overlap");
    // Two queue clients, as two app instances have, each sending the same way scheduleRouting does.
    const clients = [new PgBoss({ connectionString: t.url!, max: 1, supervise: false, schedule: false }), new PgBoss({ connectionString: t.url!, max: 1, supervise: false, schedule: false })];
    for (const c of clients) await c.start();
    try {
      let sent = 0;
      for (let round = 0; round < 6; round++) {
        for (const c of clients) {
          const id = await c.send(routingJob.queue, { campaignId, actorId: userId }, { singletonKey: campaignId, expireInSeconds: 60, ...retryOptions() });
          if (id) sent++;
        }
        await new Promise((r) => setTimeout(r, 400));
      }
      expect(sent).toBeGreaterThanOrEqual(2);
      // Wait until no job of this campaign is waiting or running any more.
      await waitFor(
        "the queue to drain",
        async () => rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from pgboss.job where name = ${routingJob.queue} and singleton_key = ${campaignId} and state < 'completed'`))[0]!.n,
        (n) => n === 0,
        120_000,
      );
      const jobs = rowsOf<{ state: string; started_on: string; completed_on: string }>(
        await t.db.execute(sql`select state, started_on::text, completed_on::text from pgboss.job where name = ${routingJob.queue} and singleton_key = ${campaignId} and started_on is not null order by started_on`),
      );
      expect(jobs.length).toBe(sent);
      expect(jobs.every((j) => j.state === "completed")).toBe(true);
      const runs = await runsOf(campaignId);
      expect(runs.length).toBe(sent);
      // The jobs' own database times: each one ended before the next began.
      for (let i = 1; i < jobs.length; i++) expect(new Date(jobs[i]!.started_on).getTime()).toBeGreaterThanOrEqual(new Date(jobs[i - 1]!.completed_on).getTime());
      expect((await routingStatus(t.db, campaignId)).state).toBe("idle");
    } finally {
      for (const c of clients) await c.stop({ graceful: false, wait: true });
    }
  }, 240_000);

  it("a worker killed mid-write leaves nothing behind, and the other one finishes the run after the expiry", async () => {
    const n = 12_000;
    const { campaignId, userId } = await campaignWith(n, "killed");
    const scheduled = await scheduleRouting(t.db, campaignId, userId);
    expect(scheduled.mode).toBe("queued");
    // Kill whichever worker took it once it reports writing (inside the one write transaction).
    const running = await waitFor("the run to reach its write", () => readJobState(t.db, "routing", campaignId), (s) => s?.state === "running" && s.phase === "writing", 120_000);
    const pid = Number(running!.worker!.split(":").at(-1));
    const victim = children.find((c) => c.pid === pid);
    expect(victim, `worker ${running!.worker} is not one of this test's children`).toBeDefined();
    victim!.kill("SIGKILL");
    await new Promise((r) => victim!.once("exit", r));
    const killedAt = Date.now();
    // Nothing of the killed attempt was committed: no run, no inclusion records, items not routed.
    expect(await runsOf(campaignId)).toHaveLength(0);
    expect(await recordsOf(campaignId)).toBe(0);
    // Without heartbeats the status says stalled (not "running" forever) until the attempt expires.
    await waitFor("the status to say stalled or retrying", async () => (await routingStatus(t.db, campaignId)).state, (s) => s === "stalled" || s === "retrying" || s === "running", 30_000);
    const done = await waitFor("the other worker to finish the run", () => readJobState(t.db, "routing", campaignId), (s) => s?.state === "finished", 180_000);
    expect(Date.now() - killedAt).toBeGreaterThan(1000);
    expect(done!.worker).not.toBe(running!.worker);
    expect(done!.attempt).toBe(2);
    const runs = await runsOf(campaignId);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.itemsTotal).toBe(n);
    expect(await recordsOf(campaignId)).toBe(n);
    const [routed] = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from items where campaign_id = ${campaignId} and inclusion_prob is not null`));
    expect(routed!.n).toBe(n);
    expect((await routingStatus(t.db, campaignId)).state).toBe("idle");
  }, 300_000);

  it("a job that keeps failing is retried with backoff and then shown as failed with its error", async () => {
    // A campaign id that does not exist: runRouting throws "campaign … not found" on every attempt.
    const missing = "00000000-0000-4000-8000-000000000000";
    await scheduleRouting(t.db, missing, null);
    const row = await waitFor("the job to fail for good", () => readJobState(t.db, "routing", missing), (s) => s?.state === "failed", 120_000);
    expect(row!.error).toContain("not found");
    expect(row!.attempt).toBe(retryOptions().retryLimit + 1);
    const status = await routingStatus(t.db, missing);
    expect(status.state).toBe("failed");
    expect(status.error).toContain("not found");
  }, 180_000);
});
