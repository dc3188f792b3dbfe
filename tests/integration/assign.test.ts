import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { assignments, auditEvents, campaigns, flags, items, judgments } from "@/db/schema";
import { assignNextItem } from "@/lib/assign/assign-next";
import { flagAssignment, skipAssignment, submitJudgment } from "@/lib/assign/submit";
import { editOwnJudgment } from "@/lib/assign/edit-judgment";
import { joinCampaign, setExcludedFromReports } from "@/lib/campaigns/membership";
import { AppError } from "@/lib/errors";
import { mulberry32 } from "@/lib/random";
import { makeWorkCampaign } from "../fixtures/work-campaign";
import { backends, type TestDb } from "./backends";

const T0 = new Date("2026-11-01T12:00:00Z");
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);

async function expectAppError(p: Promise<unknown>, code: AppError["code"]) {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe(code);
}

describe.each(backends())("assignment and rating on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const countJudgments = async (itemId: number) => {
    const [j] = await t.db.select({ n: sql<number>`count(*)::int` }).from(judgments).where(eq(judgments.itemId, itemId));
    const [i] = await t.db.select({ c: items.judgmentCount }).from(items).where(eq(items.id, itemId));
    return { rows: j!.n, counter: i!.c };
  };

  it("gives the highest-priority item, the same one on reopening, and distinct items to different people", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 5, k: 1, annotators: 3 });
    const a = await assignNextItem(t.db, campaign, annotators[0]!, { now: T0 });
    expect(a?.itemId).toBe(itemIds[0]);
    const again = await assignNextItem(t.db, campaign, annotators[0]!, { now: minutes(3) });
    expect(again?.assignmentId).toBe(a!.assignmentId);
    const b = await assignNextItem(t.db, campaign, annotators[1]!, { now: T0 });
    expect(b?.itemId).toBe(itemIds[1]);
    // Blind: nothing of the judge travels with the item.
    expect(JSON.stringify(a)).not.toMatch(/JUDGE-SECRET|0\.42|judge/i);
  });

  it("never offers an item to more than k people at once, nor to the same person twice", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 2, k: 2, annotators: 4 });
    const got = [];
    for (const who of annotators) got.push(await assignNextItem(t.db, campaign, who, { now: T0 }));
    expect(got.map((g) => g?.itemId)).toEqual([itemIds[0], itemIds[0], itemIds[1], itemIds[1]]);
    await submitJudgment(t.db, campaign, annotators[0]!, { assignmentId: got[0]!.assignmentId, value: 4, now: minutes(1) });
    // Rated: not offered to this person again, and the other item is full of live leases.
    expect(await assignNextItem(t.db, campaign, annotators[0]!, { now: minutes(2) })).toBeNull();
  });

  it("returns an abandoned item to the pool after its lease expires (injected clock, no sleeps)", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 1, k: 1, annotators: 3, leaseMinutes: 10 });
    const [ana, ben, cy] = annotators as [string, string, string];
    const first = await assignNextItem(t.db, campaign, ana, { now: T0 });
    expect(await assignNextItem(t.db, campaign, ben, { now: minutes(9) })).toBeNull();
    const reassigned = await assignNextItem(t.db, campaign, ben, { now: minutes(11) });
    expect(reassigned?.itemId).toBe(itemIds[0]);
    // Ana comes back late: her slot was promised to Ben, so the late submit is refused and changes nothing.
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: first!.assignmentId, value: 3, now: minutes(12) }), "conflict");
    expect(await countJudgments(itemIds[0]!)).toEqual({ rows: 0, counter: 0 });
    await submitJudgment(t.db, campaign, ben, { assignmentId: reassigned!.assignmentId, value: 5, now: minutes(13) });
    expect(await countJudgments(itemIds[0]!)).toEqual({ rows: 1, counter: 1 });
    expect(await assignNextItem(t.db, campaign, cy, { now: minutes(30) })).toBeNull();
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: first!.assignmentId, value: 3, now: minutes(31) }), "conflict");
    expect(await countJudgments(itemIds[0]!)).toEqual({ rows: 1, counter: 1 });
  });

  it("accepts a late submit when nobody took the slot, and re-leases a person's own expired lease", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 2, k: 1, annotators: 1 });
    const who = annotators[0]!;
    const first = await assignNextItem(t.db, campaign, who, { now: T0 });
    const again = await assignNextItem(t.db, campaign, who, { now: minutes(20) });
    expect(again?.itemId).toBe(itemIds[0]);
    expect(again?.assignmentId).toBe(first?.assignmentId);
    expect(again?.expiresAt).toBe(minutes(30).toISOString());
    await submitJudgment(t.db, campaign, who, { assignmentId: first!.assignmentId, value: 2, now: minutes(45) });
    expect(await countJudgments(itemIds[0]!)).toEqual({ rows: 1, counter: 1 });
    const [row] = await t.db.select().from(judgments).where(eq(judgments.itemId, itemIds[0]!));
    expect(row!.timeTakenMs).toBe(25 * 60_000);
  });

  it("refuses bad submissions with a clear 4xx and changes nothing", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 3, k: 3, annotators: 2 });
    const [ana, ben] = annotators as [string, string];
    const a = (await assignNextItem(t.db, campaign, ana, { now: T0 }))!;
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 9, now: T0 }), "bad_request");
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: "4", now: T0 }), "bad_request");
    await expectAppError(submitJudgment(t.db, campaign, ben, { assignmentId: a.assignmentId, value: 4, now: T0 }), "not_found");
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: 987654321, value: 4, now: T0 }), "not_found");
    await expectAppError(submitJudgment(t.db, { ...campaign, status: "closed" }, ana, { assignmentId: a.assignmentId, value: 4, now: T0 }), "conflict");
    expect(await countJudgments(itemIds[0]!)).toEqual({ rows: 0, counter: 0 });
    await submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 4, now: T0 });
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 5, now: T0 }), "conflict");
    expect(await countJudgments(itemIds[0]!)).toEqual({ rows: 1, counter: 1 });
    // Another campaign's assignment id is not found here (IDOR).
    const other = await makeWorkCampaign(t.db, { items: 1, k: 1, annotators: 1 });
    const o = (await assignNextItem(t.db, other.campaign, other.annotators[0]!, { now: T0 }))!;
    await expectAppError(submitJudgment(t.db, campaign, other.annotators[0]!, { assignmentId: o.assignmentId, value: 4, now: T0 }), "not_found");
  });

  it("acknowledges a retried submit of the same rating once more without storing it twice (the assignment is the idempotency key)", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 2, k: 2, annotators: 1 });
    const ana = annotators[0]!;
    const a = (await assignNextItem(t.db, campaign, ana, { now: T0 }))!;
    const first = await submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 4, rationale: "clear", now: T0 });
    expect(first.replayed).toBeUndefined();
    // The answer was lost (outage): the page sends the same rating again and gets the same judgment back.
    const again = await submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 4, rationale: "clear", now: minutes(1) });
    expect(again).toEqual({ judgmentId: first.judgmentId, itemId: first.itemId, replayed: true });
    expect(await countJudgments(itemIds[0]!)).toEqual({ rows: 1, counter: 1 });
    // A different rating on the same assignment is not a retry.
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 4, rationale: "changed", now: minutes(1) }), "conflict");
    await expectAppError(submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 3, rationale: "clear", now: minutes(1) }), "conflict");
    // A category that looks like a number is compared as the string it is.
    const cat = await makeWorkCampaign(t.db, { items: 1, k: 1, annotators: 1, rubric: { type: "categorical", options: ["-2", "2"] } });
    const c = (await assignNextItem(t.db, cat.campaign, cat.annotators[0]!, { now: T0 }))!;
    const saved = await submitJudgment(t.db, cat.campaign, cat.annotators[0]!, { assignmentId: c.assignmentId, value: "-2", now: T0 });
    expect(await submitJudgment(t.db, cat.campaign, cat.annotators[0]!, { assignmentId: c.assignmentId, value: "-2", now: T0 })).toMatchObject({ judgmentId: saved.judgmentId, replayed: true });
    await expectAppError(submitJudgment(t.db, cat.campaign, cat.annotators[0]!, { assignmentId: c.assignmentId, value: "2", now: T0 }), "conflict");
  });

  it("skip and flag release the lease for good; a flag reaches the review list with an audit event", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 2, k: 1, annotators: 2 });
    const [ana, ben] = annotators as [string, string];
    const a = (await assignNextItem(t.db, campaign, ana, { now: T0 }))!;
    await skipAssignment(t.db, campaign, ana, a.assignmentId, "not my language", T0);
    const b = (await assignNextItem(t.db, campaign, ana, { now: T0 }))!;
    expect(b.itemId).toBe(itemIds[1]);
    await flagAssignment(t.db, campaign, ana, b.assignmentId, { reason: "harmful", note: "rude" }, T0);
    expect(await assignNextItem(t.db, campaign, ana, { now: minutes(60) })).toBeNull();
    await expectAppError(skipAssignment(t.db, campaign, ana, a.assignmentId, null, T0), "conflict");
    // Both items are free for someone else.
    expect((await assignNextItem(t.db, campaign, ben, { now: T0 }))?.itemId).toBe(itemIds[0]);
    const fl = await t.db.select().from(flags).where(eq(flags.campaignId, campaign.id));
    expect(fl).toMatchObject([{ itemId: itemIds[1], reason: "harmful", note: "rude", status: "open" }]);
    const ev = await t.db.select().from(auditEvents).where(and(eq(auditEvents.campaignId, campaign.id), eq(auditEvents.action, "item.flag")));
    expect(ev).toHaveLength(1);
  });

  it("mixes gold items in at the campaign's rate, unbounded by k, and randomises pairwise sides", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, {
      items: [{}, {}, { goldAnswer: "A", routed: false }],
      k: 1,
      annotators: 2,
      rubric: { type: "pairwise", allowTie: true },
      goldRate: 0.5,
    });
    const [ana, ben] = annotators as [string, string];
    const g1 = (await assignNextItem(t.db, campaign, ana, { now: T0, random: () => 0.1 }))!;
    expect(g1).toMatchObject({ itemId: itemIds[2], isGold: true, swapped: true });
    await submitJudgment(t.db, campaign, ana, { assignmentId: g1.assignmentId, value: "B", now: T0 });
    const g2 = (await assignNextItem(t.db, campaign, ben, { now: T0, random: () => 0.1 }))!;
    expect(g2.itemId).toBe(itemIds[2]);
    await submitJudgment(t.db, campaign, ben, { assignmentId: g2.assignmentId, value: "A", now: T0 });
    // Gold already answered: the draw falls through to regular work; 0.9 ≥ 0.5 leaves the sides as they are.
    const n = (await assignNextItem(t.db, campaign, ana, { now: T0, random: () => 0.9 }))!;
    expect(n).toMatchObject({ itemId: itemIds[0], isGold: false, swapped: false });
    const [stored] = await t.db.select({ swapped: assignments.swapped }).from(assignments).where(eq(assignments.id, g1.assignmentId));
    expect(stored!.swapped).toBe(true);
  });

  it("lets a contributor edit a rating until the campaign closes, recording the edit", async () => {
    const { campaign, annotators } = await makeWorkCampaign(t.db, { items: 1, k: 1, annotators: 2 });
    const [ana, ben] = annotators as [string, string];
    const a = (await assignNextItem(t.db, campaign, ana, { now: T0 }))!;
    const { judgmentId } = await submitJudgment(t.db, campaign, ana, { assignmentId: a.assignmentId, value: 2, now: T0 });
    await editOwnJudgment(t.db, campaign, ana, judgmentId, { value: 4, rationale: "changed my mind" });
    await expectAppError(editOwnJudgment(t.db, campaign, ana, judgmentId, { value: 0 }), "bad_request");
    await expectAppError(editOwnJudgment(t.db, campaign, ben, judgmentId, { value: 3 }), "not_found");
    await expectAppError(editOwnJudgment(t.db, { ...campaign, status: "closed" }, ana, judgmentId, { value: 3 }), "conflict");
    const [j] = await t.db.select().from(judgments).where(eq(judgments.id, judgmentId));
    expect(j).toMatchObject({ value: 4, editCount: 1, rationale: "changed my mind" });
    const ev = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "judgment.edit"));
    expect(ev.find((e) => e.targetId === String(judgmentId))?.details).toMatchObject({ from: 2, to: 4 });
  });

  it("joins public campaigns only, once, with an audit event; exclusion is audited", async () => {
    const { campaign, owner, annotators } = await makeWorkCampaign(t.db, { items: 1, k: 1, annotators: 1 });
    const newcomer = (await makeWorkCampaign(t.db, { items: 0, k: 1, annotators: 1 })).annotators[0]!;
    expect(await joinCampaign(t.db, campaign, newcomer, null)).toEqual({ joined: true });
    expect(await joinCampaign(t.db, campaign, newcomer, null)).toEqual({ joined: false });
    await expectAppError(joinCampaign(t.db, { ...campaign, visibility: "invite" }, annotators[0]!, null), "forbidden");
    const joins = await t.db.select().from(auditEvents).where(and(eq(auditEvents.campaignId, campaign.id), eq(auditEvents.action, "membership.join")));
    expect(joins).toHaveLength(1);
    await setExcludedFromReports(t.db, campaign.id, owner, newcomer, true);
    await expectAppError(setExcludedFromReports(t.db, campaign.id, owner, owner, true), "not_found");
    const ex = await t.db.select().from(auditEvents).where(and(eq(auditEvents.campaignId, campaign.id), eq(auditEvents.action, "membership.exclude")));
    expect(ex).toHaveLength(1);
  });

  it("takes an item out of the assignment index when it reaches k, and puts it back when k is raised", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 1, k: 2, annotators: 3 });
    const kReached = async () => (await t.db.select({ f: items.kReached }).from(items).where(eq(items.id, itemIds[0]!)))[0]!.f;
    for (const who of annotators.slice(0, 2)) {
      const a = await assignNextItem(t.db, campaign, who, { now: T0 });
      expect(await kReached()).toBe(false);
      await submitJudgment(t.db, campaign, who, { assignmentId: a!.assignmentId, value: 3, now: minutes(1) });
    }
    expect(await kReached()).toBe(true);
    expect(await assignNextItem(t.db, campaign, annotators[2]!, { now: minutes(2) })).toBeNull();
    const { updateCampaign } = await import("@/lib/campaigns/manage");
    const { campaign: raised } = await updateCampaign(t.db, campaign.id, { k: 3 }, { actorId: campaign.ownerId });
    expect(await kReached()).toBe(false);
    expect((await assignNextItem(t.db, raised, annotators[2]!, { now: minutes(3) }))?.itemId).toBe(itemIds[0]);
  });

  it("offers nothing from a campaign that is not active", async () => {
    const { campaign, annotators } = await makeWorkCampaign(t.db, { items: 2, k: 1, annotators: 1 });
    await t.db.update(campaigns).set({ status: "paused" }).where(eq(campaigns.id, campaign.id));
    expect(await assignNextItem(t.db, campaign, annotators[0]!, { now: T0 })).toBeNull();
  });

});

// Real concurrency needs a server with many connections; PGlite has one connection and runs the same logic
// through every test above. Without DATABASE_URL this suite has no backend and does not appear.
describe.each(backends().filter((b) => b.name === "postgres"))("assignment under concurrency on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("runs the hot path on its own pool: generic plans without sequential scans, even on an empty table's statistics", async () => {
    const { openDb, executePrepared, rowsOf } = await import("@/db/client");
    // The server itself: these session settings are what pooler mode gives up (tests/integration/pooler.test.ts).
    const pool = await openDb({ url: t.directUrl ?? t.url!, pooler: false, max: 2 });
    try {
      await pool.db.execute(sql`analyze assignments`); // analysed empty: a seq scan looks cheapest
      const settings = sql`select current_setting('enable_seqscan') as seq, current_setting('plan_cache_mode') as plans`;
      expect(await executePrepared(pool.db, settings)).toEqual([{ seq: "off", plans: "force_generic_plan" }]);
      expect(rowsOf(await pool.db.execute(settings))).toEqual([{ seq: "on", plans: "auto" }]);
      // Inside a transaction the statement stays on the transaction's connection.
      expect(await pool.db.transaction((tx) => executePrepared(tx, settings))).toEqual([{ seq: "on", plans: "auto" }]);
      // Values travel exactly as on the main pool (a jsonb parameter given as JSON text is not encoded twice).
      const values = sql`select ${JSON.stringify(3)}::jsonb as v, jsonb_typeof(${JSON.stringify(3)}::jsonb) as t, ${"2026-01-02T03:04:05.000Z"}::timestamptz as at`;
      expect(await executePrepared(pool.db, values)).toEqual(rowsOf(await pool.db.execute(values)));
      expect(await executePrepared<{ t: string }>(pool.db, values)).toMatchObject([{ t: "number" }]);
      const plan = (rows: unknown[]) => JSON.stringify(rows);
      const probe = sql`explain select * from assignments where item_id = ${1} and annotator_id = ${"00000000-0000-0000-0000-000000000000"}`;
      expect(plan(await executePrepared(pool.db, probe))).toContain("Index Scan");
      expect(plan(rowsOf(await pool.db.execute(probe)))).toContain("Seq Scan");
    } finally {
      await pool.close();
    }
  });

  it("50 contributors racing end with exactly k distinct raters per item", async () => {
    const { openDb } = await import("@/db/client");
    const pool = await openDb({ url: t.url!, max: 20 });
    try {
      const { campaign, annotators, itemIds } = await makeWorkCampaign(pool.db, { items: 60, k: 3, annotators: 50 });
      const rand = mulberry32(7);
      let refused = 0;
      await Promise.all(
        annotators.map(async (who) => {
          for (;;) {
            const next = await assignNextItem(pool.db, campaign, who, { random: rand });
            if (!next) return;
            try {
              await submitJudgment(pool.db, campaign, who, { assignmentId: next.assignmentId, value: 1 + Math.floor(rand() * 5) });
            } catch (e) {
              if (!(e instanceof AppError && e.code === "conflict")) throw e;
              refused++;
            }
          }
        }),
      );
      const per = await pool.db
        .select({ itemId: judgments.itemId, n: sql<number>`count(*)::int`, people: sql<number>`count(distinct ${judgments.annotatorId})::int` })
        .from(judgments)
        .where(eq(judgments.campaignId, campaign.id))
        .groupBy(judgments.itemId);
      expect(per).toHaveLength(itemIds.length);
      const types = await pool.db.execute(sql`select distinct jsonb_typeof(value) as t from judgments where campaign_id = ${campaign.id}`);
      expect(types).toEqual([{ t: "number" }]);
      for (const r of per) expect(r).toMatchObject({ n: 3, people: 3 });
      const counters = await pool.db.select({ c: items.judgmentCount, full: items.kReached }).from(items).where(eq(items.campaignId, campaign.id));
      expect(counters.every((r) => r.c === 3 && r.full)).toBe(true);
      // No over-leasing either: nobody was handed an item whose k slots were already promised.
      expect(refused).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
