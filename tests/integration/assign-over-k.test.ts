import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { openDb, rowsOf, executePrepared, type Db, type DbHandle } from "@/db/client";
import { leaseNextItem } from "@/db/queries/assign";
import { submitJudgment } from "@/lib/assign/submit";
import { AppError } from "@/lib/errors";
import { mulberry32 } from "@/lib/random";
import { makeWorkCampaign } from "../fixtures/work-campaign";
import { backends, type TestDb } from "./backends";

// Issue #19: a heavily loaded HTTP run counted items whose live leases plus judgments exceeded k (judgments never
// did). Two causes, both in the late submit (a submit on a lease that has expired, whose slot may have been given
// to someone else meanwhile): the submit judged "expired" by a clock the app read before the request queued for a
// connection, and it counted other people's live leases from a snapshot that could predate a lease committed while
// it waited for the item lock. These tests reproduce each, then run many clients with leases that expire mid-run.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Items whose judgments of the current version plus leases live now exceed k (gold items are not bounded). */
async function overK(db: Db, campaignId: string, k: number): Promise<{ leasesPlusJudgments: number; judgments: number }> {
  const [r] = rowsOf<{ lj: number; j: number }>(
    await db.execute(sql`
      with c as (
        select i.id,
               (select count(*) from judgments j where j.item_id = i.id and j.item_version = i.version) as j,
               (select count(*) from assignments a where a.item_id = i.id and a.item_version = i.version
                  and a.status = 'leased' and a.expires_at > statement_timestamp()) as l
        from items i where i.campaign_id = ${campaignId} and i.gold_answer is null)
      select count(*) filter (where j + l > ${k})::int as lj, count(*) filter (where j > ${k})::int as j from c`),
  );
  return { leasesPlusJudgments: r!.lj, judgments: r!.j };
}

async function expectConflict(p: Promise<unknown>) {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe("conflict");
}

describe.each(backends().filter((b) => b.name === "postgres"))("leases never exceed k under concurrency on $name", (backend) => {
  // These races are the database's own (row locks, snapshots, the hot-path pool queueing): they run on the server
  // itself even when the run's app handle goes through PgBouncer, whose own queue would blur what is being timed.
  let t: TestDb;
  let direct: DbHandle;
  let db: Db;
  let url: string;
  beforeAll(async () => {
    t = await backend.open();
    url = t.directUrl ?? t.url!;
    direct = await openDb({ url, pooler: false, max: 4 });
    db = direct.db;
  });
  afterAll(async () => {
    await direct?.close();
    await t?.drop();
  });

  it("a late submit that queued for a connection is judged by the clock at which it runs, not the one it was sent with", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(db, { items: 1, k: 1, annotators: 2, leaseMinutes: 1 });
    const [ana, ben] = annotators as [string, string];
    const [dbNow] = rowsOf<{ now: string }>(await db.execute(sql`select statement_timestamp()::text as now`));
    // Ana's lease ends 1.5 s from now (leased 58.5 s ago for a minute).
    const a = (await leaseNextItem(db, { campaignId: campaign.id, annotatorId: ana, k: 1, leaseMinutes: 1, now: new Date(new Date(dbNow!.now).getTime() - 58_500), preferGold: false, swapped: false }))!;
    expect(a.itemId).toBe(itemIds[0]);
    // Every connection of the hot-path pool is busy for 4 s: Ana's submit, sent while her lease is live, waits for one.
    const hold = Array.from({ length: 4 }, () => executePrepared(db, sql`select pg_sleep(4)`));
    const late = submitJudgment(db, campaign, ana, { assignmentId: a.assignmentId, value: 3 }).then(
      () => null,
      (e: unknown) => e,
    );
    await sleep(2_500);
    // Her lease has expired meanwhile; Ben (another instance, its own pool) is given the slot.
    const other = await openDb({ url, pooler: false, max: 2 });
    try {
      const b = await leaseNextItem(other.db, { campaignId: campaign.id, annotatorId: ben, k: 1, leaseMinutes: 1, preferGold: false, swapped: false });
      expect(b?.itemId).toBe(itemIds[0]);
    } finally {
      await other.close();
    }
    await Promise.all(hold);
    const e = await late;
    // The slot is Ben's: Ana's rating is refused (nothing saved), not stored beside Ben's live lease.
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe("conflict");
    expect(await overK(db, campaign.id, 1)).toEqual({ leasesPlusJudgments: 0, judgments: 0 });
  });

  it("a late submit waiting for the item lock sees a lease committed meanwhile", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(db, { items: 1, k: 1, annotators: 2, leaseMinutes: 1 });
    const [ana, ben] = annotators as [string, string];
    // Ana's lease expired a minute ago.
    const a = (await leaseNextItem(db, { campaignId: campaign.id, annotatorId: ana, k: 1, leaseMinutes: 1, now: new Date(Date.now() - 120_000), preferGold: false, swapped: false }))!;
    const pool = await openDb({ url, pooler: false, max: 4 });
    try {
      // Ben's lease is written (it rewrites the item row) but not committed when Ana's late submit starts: her
      // statement's snapshot cannot see it, and she waits for the item row lock until Ben commits.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const wasWritten = new Promise<void>((r) => (written = r));
      const lease = pool.db.transaction(async (tx) => {
        const b = await leaseNextItem(tx, { campaignId: campaign.id, annotatorId: ben, k: 1, leaseMinutes: 1, preferGold: false, swapped: false });
        expect(b?.itemId).toBe(itemIds[0]);
        written();
        await gate;
      });
      await wasWritten;
      const late = submitJudgment(pool.db, campaign, ana, { assignmentId: a.assignmentId, value: 3 });
      for (let i = 0; ; i++) {
        const [w] = rowsOf<{ n: number }>(await pool.db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`));
        if (w!.n > 0) break;
        if (i > 500) throw new Error("the late submit never waited for the item lock");
        await sleep(10);
      }
      release();
      await lease;
      await expectConflict(late);
      expect(await overK(db, campaign.id, 1)).toEqual({ leasesPlusJudgments: 0, judgments: 0 });
    } finally {
      await pool.close();
    }
  });

  it("many clients with leases that expire mid-run, late submits and re-leases: live leases + judgments never exceed k", async () => {
    const k = 2;
    const clients = 24;
    const { campaign, annotators } = await makeWorkCampaign(db, { items: 30, k, annotators: clients, leaseMinutes: 1 });
    // Two pools, like two app instances.
    const pools = [await openDb({ url, pooler: false, max: 4 }), await openDb({ url, pooler: false, max: 4 })];
    const monitor = await openDb({ url, pooler: false, max: 1, hotPool: false });
    try {
      const end = Date.now() + 5_000;
      let violations = 0;
      let checks = 0;
      const counts = { leased: 0, ok: 0, refused: 0, lateTries: 0 };
      const watching = (async () => {
        while (Date.now() < end) {
          const o = await overK(monitor.db, campaign.id, k);
          checks++;
          if (o.leasesPlusJudgments > 0 || o.judgments > 0) violations++;
          await sleep(20);
        }
      })();
      await Promise.all(
        annotators.map(async (who, i) => {
          const rand = mulberry32(100 + i);
          const db = pools[i % 2]!.db;
          while (Date.now() < end) {
            // Leases of 0.6–1.2 s (leaseNextItem takes fractional minutes): many expire before their submit.
            const lease = await leaseNextItem(db, { campaignId: campaign.id, annotatorId: who, k, leaseMinutes: (0.6 + rand() * 0.6) / 60, preferGold: false, swapped: false });
            if (!lease) {
              await sleep(50);
              continue;
            }
            counts.leased++;
            const think = rand() * 1_500;
            if (think > 900) counts.lateTries++;
            await sleep(think);
            // One lease in five is abandoned: its row stays 'leased' and expires, and this person may re-lease it.
            if (rand() < 0.2) continue;
            try {
              await submitJudgment(db, campaign, who, { assignmentId: lease.assignmentId, value: 1 + Math.floor(rand() * 5) });
              counts.ok++;
            } catch (e) {
              if (!(e instanceof AppError && (e.code === "conflict" || e.code === "not_found"))) throw e;
              counts.refused++;
            }
          }
        }),
      );
      await watching;
      // The run exercised what it is meant to: leases, accepted and refused (late) submits, and many checks.
      expect(counts.leased).toBeGreaterThan(50);
      expect(counts.ok).toBeGreaterThan(10);
      expect(counts.refused + counts.lateTries).toBeGreaterThan(0);
      expect(checks).toBeGreaterThan(10);
      expect(violations).toBe(0);
      expect(await overK(db, campaign.id, k)).toEqual({ leasesPlusJudgments: 0, judgments: 0 });
      const [drift] = rowsOf<{ n: number }>(
        await db.execute(sql`select count(*)::int as n from items i where i.campaign_id = ${campaign.id}
          and i.judgment_count <> (select count(*) from judgments j where j.item_id = i.id and j.item_version = i.version)`),
      );
      expect(drift!.n).toBe(0);
    } finally {
      await Promise.all([...pools.map((p) => p.close()), monitor.close()]);
    }
  });
});
