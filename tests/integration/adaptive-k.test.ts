// Adaptive k (docs/assignment.md, "Adaptive k"): an item stops after k_min agreeing ratings and collects up to k
// (k_max) when they disagree; every writer of judgment_count keeps k_extended / k_reached true to the rule; under
// 50 concurrent raters nothing exceeds k_max, leases included, and nobody rates an item twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, asc, eq, sql } from "drizzle-orm";
import { rowsOf, type Db } from "@/db/client";
import { countWaitingFor } from "@/db/queries/assign";
import { campaignProgress, listCampaigns } from "@/db/queries/campaigns";
import { submitInOneStatement } from "@/db/queries/judging";
import { campaigns, items, judgments, users, type Campaign } from "@/db/schema";
import { adaptiveState } from "@/lib/assign/adaptive-k";
import { assignNextItem } from "@/lib/assign/assign-next";
import { editOwnJudgment } from "@/lib/assign/edit-judgment";
import { submitJudgment } from "@/lib/assign/submit";
import { createCampaign, updateCampaign } from "@/lib/campaigns/manage";
import { AppError } from "@/lib/errors";
import { importItems } from "@/lib/ingest/import-items";
import { mulberry32 } from "@/lib/random";
import type { Rubric } from "@/lib/validation/campaign";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { makeWorkCampaign } from "../fixtures/work-campaign";
import { backends, type TestDb } from "./backends";

const T0 = new Date("2026-11-01T12:00:00Z");
const minutes = (m: number) => new Date(T0.getTime() + m * 60_000);
const bytes = (text: string) => (async function* () {
  yield Buffer.from(text);
})();
const line = (o: Record<string, unknown>) => JSON.stringify(o);

type ItemState = { n: number; ext: boolean; full: boolean };

async function itemState(db: Db, itemId: number): Promise<ItemState> {
  const [r] = await db.select({ n: items.judgmentCount, ext: items.kExtended, full: items.kReached }).from(items).where(eq(items.id, itemId));
  return r!;
}

/** Every item's stored flags against the rule (lib/assign/adaptive-k.ts) applied to its judgments in stored order. */
async function expectFlagsFollowTheRule(db: Db, campaignId: string) {
  const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  const rows = await db
    .select({ id: items.id, version: items.version, n: items.judgmentCount, ext: items.kExtended, full: items.kReached, gold: items.goldAnswer })
    .from(items)
    .where(eq(items.campaignId, campaignId));
  for (const r of rows) {
    const js = await db
      .select({ value: judgments.value })
      .from(judgments)
      .where(and(eq(judgments.itemId, r.id), eq(judgments.itemVersion, r.version)))
      .orderBy(asc(judgments.id));
    const want = adaptiveState({ k: c!.k, kMin: c!.kMin, agreeDistance: c!.agreeDistance, rubric: c!.rubric }, js.map((j) => j.value as number | string));
    expect({ id: r.id, n: r.n, ext: r.ext, full: r.full }).toEqual({ id: r.id, n: js.length, ext: want.extended, full: want.done });
  }
}

async function expectAppError(p: Promise<unknown>, code: AppError["code"]): Promise<AppError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe(code);
  return e as AppError;
}

describe.each(backends())("adaptive k on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** Lease the next item for `who` and rate it `value`; returns the leased item id. */
  const rate = async (campaign: Campaign, who: string, value: number | string, at: Date) => {
    const a = await assignNextItem(t.db, campaign, who, { now: at });
    expect(a, `an item for ${who}`).not.toBeNull();
    await submitJudgment(t.db, campaign, who, { assignmentId: a!.assignmentId, value, now: at });
    return a!.itemId;
  };

  it("Likert: agreeing ratings stop an item at k_min; disagreeing ones extend it to k_max; leases never pass the target", async () => {
    const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 2, k: 4, kMin: 2, agreeDistance: 1, annotators: 6 });
    const [r0, r1, r2, r3, r4, r5] = annotators as [string, string, string, string, string, string];
    const [x, y] = itemIds as [number, number];
    // While undecided, an item takes k_min leases + judgments: the third person gets the next item, the fifth nothing.
    const l0 = (await assignNextItem(t.db, campaign, r0, { now: T0 }))!;
    const l1 = (await assignNextItem(t.db, campaign, r1, { now: T0 }))!;
    const l2 = (await assignNextItem(t.db, campaign, r2, { now: T0 }))!;
    const l3 = (await assignNextItem(t.db, campaign, r3, { now: T0 }))!;
    expect([l0.itemId, l1.itemId, l2.itemId, l3.itemId]).toEqual([x, x, y, y]);
    expect(await assignNextItem(t.db, campaign, r4, { now: T0 })).toBeNull();

    // x: 3 and 4 are within the agree distance (1): x stops at 2.
    await submitJudgment(t.db, campaign, r0, { assignmentId: l0.assignmentId, value: 3, now: minutes(1) });
    expect(await itemState(t.db, x)).toEqual({ n: 1, ext: false, full: false });
    await submitJudgment(t.db, campaign, r1, { assignmentId: l1.assignmentId, value: 4, now: minutes(1) });
    expect(await itemState(t.db, x)).toEqual({ n: 2, ext: false, full: true });
    // y: 1 and 5 disagree: y stays in the pool up to k = 4.
    await submitJudgment(t.db, campaign, r2, { assignmentId: l2.assignmentId, value: 1, now: minutes(1) });
    await submitJudgment(t.db, campaign, r3, { assignmentId: l3.assignmentId, value: 5, now: minutes(1) });
    expect(await itemState(t.db, y)).toEqual({ n: 2, ext: true, full: false });

    const l4 = (await assignNextItem(t.db, campaign, r4, { now: minutes(2) }))!;
    const l5 = (await assignNextItem(t.db, campaign, r5, { now: minutes(2) }))!;
    expect([l4.itemId, l5.itemId]).toEqual([y, y]);
    // 2 judgments + 2 live leases = k_max: nobody else (r0 has not rated y).
    expect(await assignNextItem(t.db, campaign, r0, { now: minutes(2) })).toBeNull();
    expect(await countWaitingFor(t.db, [campaign.id], r0, minutes(2))).toEqual(new Map([[campaign.id, 1]]));
    expect((await campaignProgress(t.db, campaign.id, campaign)).fullyJudged).toBe(1);
    await submitJudgment(t.db, campaign, r4, { assignmentId: l4.assignmentId, value: 3, now: minutes(3) });
    expect(await itemState(t.db, y)).toEqual({ n: 3, ext: true, full: false });
    await submitJudgment(t.db, campaign, r5, { assignmentId: l5.assignmentId, value: 3, now: minutes(3) });
    expect(await itemState(t.db, y)).toEqual({ n: 4, ext: true, full: true });
    expect(await assignNextItem(t.db, campaign, r0, { now: minutes(4) })).toBeNull();

    // Progress counts items against their own target: both done (x at 2, y at 4).
    expect(await countWaitingFor(t.db, [campaign.id], r0, minutes(4))).toEqual(new Map());
    expect(await campaignProgress(t.db, campaign.id, campaign)).toMatchObject({ routed: 2, fullyJudged: 2, judgments: 6 });
    const listed = await listCampaigns(t.db, { userId: null, all: true, limit: 500, offset: 0 });
    expect(listed.rows.find((r) => r.id === campaign.id)).toMatchObject({ routedCount: 2, doneCount: 2 });

    // An edit after the decision does not move the item back into the pool (documented): x keeps its two ratings.
    const [mine] = await t.db.select({ id: judgments.id }).from(judgments).where(and(eq(judgments.itemId, x), eq(judgments.annotatorId, r1)));
    await editOwnJudgment(t.db, campaign, r1, mine!.id, { value: 1 });
    expect(await itemState(t.db, x)).toEqual({ n: 2, ext: false, full: true });
    expect(await assignNextItem(t.db, campaign, r2, { now: minutes(5) })).toBeNull();
  });

  it("binary, categorical and pairwise: ratings agree when equal (the distance does not apply)", async () => {
    const rubrics: Rubric[] = [
      { type: "categorical", options: ["good", "bad", "ugly"] },
      { type: "binary", labels: ["no", "yes"] },
      { type: "pairwise", allowTie: true },
    ];
    for (const rubric of rubrics) {
      const [same, other] = rubric.type === "categorical" ? ["good", "bad"] : rubric.type === "binary" ? [1, 0] : ["A", "tie"];
      const { campaign, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 2, k: 3, kMin: 2, annotators: 5, rubric });
      const [x, y] = itemIds as [number, number];
      const [r0, r1, r2, r3, r4] = annotators as [string, string, string, string, string];
      expect(await rate(campaign, r0, same!, T0)).toBe(x);
      expect(await rate(campaign, r1, same!, T0)).toBe(x);
      expect(await itemState(t.db, x), rubric.type).toEqual({ n: 2, ext: false, full: true });
      expect(await rate(campaign, r2, same!, T0)).toBe(y);
      expect(await rate(campaign, r3, other!, T0)).toBe(y);
      expect(await itemState(t.db, y), rubric.type).toEqual({ n: 2, ext: true, full: false });
      expect(await rate(campaign, r4, same!, T0)).toBe(y);
      expect(await itemState(t.db, y), rubric.type).toEqual({ n: 3, ext: true, full: true });
      await expectFlagsFollowTheRule(t.db, campaign.id);
    }
  });

  it("a change of k, k_min or agree distance recomputes every item; k_min above k is a 400 naming kMin", async () => {
    const { campaign, owner, annotators, itemIds } = await makeWorkCampaign(t.db, { items: 3, k: 4, annotators: 4 });
    const [x, y, z] = itemIds as [number, number, number];
    const [r0, r1, r2, r3] = annotators as [string, string, string, string];
    // Under a fixed k = 4, x has 3 and 4, y has 1 and 5, z has 2 (stored in this order).
    await t.db.insert(judgments).values([
      { campaignId: campaign.id, itemId: x, annotatorId: r0, value: 3 },
      { campaignId: campaign.id, itemId: x, annotatorId: r1, value: 4 },
      { campaignId: campaign.id, itemId: y, annotatorId: r2, value: 1 },
      { campaignId: campaign.id, itemId: y, annotatorId: r3, value: 5 },
      { campaignId: campaign.id, itemId: z, annotatorId: r0, value: 2 },
    ]);
    await t.db.execute(sql`update items set judgment_count = (select count(*) from judgments j where j.item_id = items.id) where campaign_id = ${campaign.id}`);
    const who = { actorId: owner };

    const steps: { patch: Parameters<typeof updateCampaign>[2]; x: ItemState; y: ItemState; z: ItemState }[] = [
      // k_min 2, distance 0: x (3, 4) and y (1, 5) disagree → extended, collecting 4; z has 1 rating.
      { patch: { kMin: 2 }, x: { n: 2, ext: true, full: false }, y: { n: 2, ext: true, full: false }, z: { n: 1, ext: false, full: false } },
      // Distance 1: x agrees now and is done at 2.
      { patch: { agreeDistance: 1 }, x: { n: 2, ext: false, full: true }, y: { n: 2, ext: true, full: false }, z: { n: 1, ext: false, full: false } },
      // k_min 1: every first rating agrees with itself, so every rated item is done.
      { patch: { kMin: 1 }, x: { n: 2, ext: false, full: true }, y: { n: 2, ext: false, full: true }, z: { n: 1, ext: false, full: true } },
      // Back to a fixed k = 4: nothing is done.
      { patch: { kMin: null }, x: { n: 2, ext: false, full: false }, y: { n: 2, ext: false, full: false }, z: { n: 1, ext: false, full: false } },
      // A fixed k = 2: x and y are done.
      { patch: { k: 2 }, x: { n: 2, ext: false, full: true }, y: { n: 2, ext: false, full: true }, z: { n: 1, ext: false, full: false } },
      // k_max 3 with k_min 2 in one patch: y extends again.
      { patch: { k: 3, kMin: 2 }, x: { n: 2, ext: false, full: true }, y: { n: 2, ext: true, full: false }, z: { n: 1, ext: false, full: false } },
    ];
    for (const s of steps) {
      await updateCampaign(t.db, campaign.id, s.patch, who);
      expect({ x: await itemState(t.db, x), y: await itemState(t.db, y), z: await itemState(t.db, z) }, JSON.stringify(s.patch)).toEqual({ x: s.x, y: s.y, z: s.z });
      await expectFlagsFollowTheRule(t.db, campaign.id);
    }
    // The campaign now has k = 3, k_min = 2, distance 1: the same flags the assignment reads.
    const [stored] = await t.db.select().from(campaigns).where(eq(campaigns.id, campaign.id));
    expect(stored).toMatchObject({ k: 3, kMin: 2, agreeDistance: 1 });

    // k_min above k, in the patch or against the stored k: 400 naming kMin, nothing written.
    const e1 = await expectAppError(updateCampaign(t.db, campaign.id, { kMin: 4 }, who), "bad_request");
    expect(e1.details).toMatchObject({ field: "kMin", fields: { kMin: expect.stringMatching(/k_min \(4\) must be at most k \(3\)/) } });
    const e2 = await expectAppError(updateCampaign(t.db, campaign.id, { k: 1 }, who), "bad_request");
    expect(e2.details).toMatchObject({ field: "kMin" });
    // An agree distance on a non-Likert scale is refused against the stored rubric.
    const cat = await makeWorkCampaign(t.db, { items: 1, k: 3, annotators: 0, rubric: { type: "categorical", options: ["a", "b"] } });
    const e3 = await expectAppError(updateCampaign(t.db, cat.campaign.id, { agreeDistance: 1 }, { actorId: cat.owner }), "bad_request");
    expect(e3.details).toMatchObject({ field: "agreeDistance" });
    expect((await t.db.select().from(campaigns).where(eq(campaigns.id, campaign.id)))[0]).toMatchObject({ k: 3, kMin: 2, updatedAt: stored!.updatedAt });
  });

  it("imported prior ratings decide like app ratings; a re-import that changes the content starts the new version unextended", async () => {
    const [{ id: researcherId }] = (await t.db.insert(users).values({ email: `adaptive-${backend.name}@example.test`, name: "R", role: "researcher" }).returning({ id: users.id })) as [{ id: string }];
    const c = await createCampaign(t.db, campaignCreateSchema.parse({ name: "Adaptive import", rubric: { type: "likert", min: 1, max: 5 }, k: 3, kMin: 2 }), { actorId: researcherId });
    expect(c).toMatchObject({ k: 3, kMin: 2, agreeDistance: 0 });
    const rows = (over: Record<string, string> = {}) =>
      [
        line({ id: "a", output: over.a ?? "a", human_ratings: [{ rater: "p", value: 4 }, { rater: "q", value: 4 }] }),
        line({ id: "b", output: over.b ?? "b", human_ratings: [{ rater: "p", value: 2 }, { rater: "q", value: 5 }] }),
        line({ id: "c", output: "c", human_ratings: [{ rater: "p", value: 3 }] }),
        line({ id: "d", output: "d", human_ratings: [{ rater: "p", value: 1 }, { rater: "q", value: 5 }, { rater: "r", value: 2 }] }),
      ].join("\n");
    await importItems(t.db, c, bytes(rows()), { format: "jsonl", actorId: researcherId });
    const byExternal = async () =>
      Object.fromEntries(
        (await t.db.select({ e: items.externalId, v: items.version, n: items.judgmentCount, ext: items.kExtended, full: items.kReached }).from(items).where(eq(items.campaignId, c.id))).map((r) => [r.e, { v: r.v, n: r.n, ext: r.ext, full: r.full }]),
      );
    expect(await byExternal()).toEqual({
      a: { v: 1, n: 2, ext: false, full: true },
      b: { v: 1, n: 2, ext: true, full: false },
      c: { v: 1, n: 1, ext: false, full: false },
      d: { v: 1, n: 3, ext: true, full: true },
    });
    await expectFlagsFollowTheRule(t.db, c.id);

    // New content for a and b (without ratings of the new version): a new version, 0 ratings, not extended.
    const again = rows({ a: "a, rewritten", b: "b, rewritten" }).split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of again) if (r.id === "a" || r.id === "b") delete r.human_ratings;
    await importItems(t.db, c, bytes(again.map((r) => line(r)).join("\n")), { format: "jsonl", actorId: researcherId });
    expect(await byExternal()).toMatchObject({
      a: { v: 2, n: 0, ext: false, full: false },
      b: { v: 2, n: 0, ext: false, full: false },
      d: { v: 1, n: 3, ext: true, full: true },
    });
    await expectFlagsFollowTheRule(t.db, c.id);
  });
});

// Real concurrency needs a server with many connections (PGlite has one; it runs the same statements above).
describe.each(backends().filter((b) => b.name === "postgres"))("adaptive k under concurrency on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("the k_min-th rating decides on every rating, even one committed while it waited for the item lock", async () => {
    const { openDb } = await import("@/db/client");
    const pool = await openDb({ url: t.url!, max: 6 });
    try {
      const { campaign, annotators, itemIds } = await makeWorkCampaign(pool.db, { items: 1, k: 4, kMin: 2, annotators: 2 });
      const [r0, r1] = annotators as [string, string];
      const l0 = (await assignNextItem(pool.db, campaign, r0))!;
      const l1 = (await assignNextItem(pool.db, campaign, r1))!;
      expect([l0.itemId, l1.itemId]).toEqual([itemIds[0], itemIds[0]]);
      // r0's rating is written but not committed; r1's statement starts (its snapshot cannot see r0's judgment)
      // and waits for the item row lock; then r0 commits.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const wasWritten = new Promise<void>((r) => (written = r));
      const first = pool.db.transaction(async (tx) => {
        const r = await submitInOneStatement(tx, { campaignId: campaign.id, annotatorId: r0, assignmentId: l0.assignmentId, k: 4, kMin: 2, agreeDistance: 0, ordinal: true, value: 1, rationale: null, guidelinesVersion: 1, now: new Date() });
        expect(r.verdict).toBe("ok");
        written();
        await gate;
      });
      await wasWritten;
      const second = submitJudgment(pool.db, campaign, r1, { assignmentId: l1.assignmentId, value: 5 });
      for (let i = 0; ; i++) {
        const [w] = rowsOf<{ n: number }>(await pool.db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`));
        if (w!.n > 0) break;
        if (i > 500) throw new Error("the second submit never waited for the item lock");
        await new Promise((r) => setTimeout(r, 10));
      }
      release();
      await first;
      await second;
      // 1 and 5 disagree: the item is extended. Deciding from the stale snapshot (5 alone) would have stopped it.
      expect(await itemState(pool.db, itemIds[0]!)).toEqual({ n: 2, ext: true, full: false });
    } finally {
      await pool.close();
    }
  });

  it("50 raters racing on k_min = 2, k_max = 4: never over k_max (leases included), never a rater twice, every item by the rule", async () => {
    const { openDb } = await import("@/db/client");
    const pool = await openDb({ url: t.url!, max: 20 });
    try {
      const { campaign, annotators, itemIds } = await makeWorkCampaign(pool.db, { items: 60, k: 4, kMin: 2, annotators: 50 });
      const raterIndex = new Map(annotators.map((a, i) => [a, i]));
      const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
      // Even items: everyone says 3 (they stop at 2). Odd items: the value depends on the rater, so some pairs agree
      // and some do not, deterministically given who rated.
      const valueOf = (itemId: number, who: string) => {
        const i = itemIndex.get(itemId)!;
        return i % 2 === 0 ? 3 : 1 + ((raterIndex.get(who)! * 7 + i * 3) % 5);
      };
      const rand = mulberry32(11);
      let refused = 0;
      let running = true;
      // An observer: at every moment, judgments + live leases per item stay within k_max and within the item's target.
      const observations: { worst: number; overTarget: number }[] = [];
      const observer = (async () => {
        while (running) {
          const [o] = rowsOf<{ worst: number; over_target: number }>(
            await pool.db.execute(sql`
              select coalesce(max(x.n), 0)::int as worst, count(*) filter (where x.n > x.target)::int as over_target
              from (select i.id,
                           (select count(*) from judgments j where j.item_id = i.id)
                             + (select count(*) from assignments a where a.item_id = i.id and a.status = 'leased' and a.expires_at > now()) as n,
                           case when i.k_extended then 4 else 2 end as target
                    from items i where i.campaign_id = ${campaign.id}) x`),
          );
          observations.push({ worst: o!.worst, overTarget: o!.over_target });
          await new Promise((r) => setTimeout(r, 2));
        }
      })();
      await Promise.all(
        annotators.map(async (who) => {
          for (;;) {
            const next = await assignNextItem(pool.db, campaign, who, { random: rand });
            if (!next) {
              // Nothing now; an item waiting on its k_min-th rating may still extend. Done when no open item is left
              // that this person has not seen.
              const [open] = rowsOf<{ n: number }>(
                await pool.db.execute(sql`select count(*)::int as n from items i where i.campaign_id = ${campaign.id} and not i.k_reached
                  and not exists (select 1 from assignments a where a.item_id = i.id and a.annotator_id = ${who})`),
              );
              if (open!.n === 0) return;
              await new Promise((r) => setTimeout(r, 5));
              continue;
            }
            try {
              await submitJudgment(pool.db, campaign, who, { assignmentId: next.assignmentId, value: valueOf(next.itemId, who) });
            } catch (e) {
              if (!(e instanceof AppError && e.code === "conflict")) throw e;
              refused++;
            }
          }
        }),
      );
      running = false;
      await observer;

      expect(observations.length).toBeGreaterThan(5);
      expect(Math.max(...observations.map((o) => o.worst))).toBeLessThanOrEqual(4);
      expect(observations.every((o) => o.overTarget === 0)).toBe(true);
      const per = rowsOf<{ item_id: number | string; n: number; people: number }>(
        await pool.db.execute(sql`select item_id, count(*)::int as n, count(distinct annotator_id)::int as people from judgments where campaign_id = ${campaign.id} group by item_id`),
      );
      expect(per).toHaveLength(itemIds.length);
      for (const r of per) {
        expect(r.n).toBeLessThanOrEqual(4);
        expect(r.people).toBe(r.n);
      }
      // Every item ends where the rule says: 2 when its first two ratings agree, else 4; flags and counters match.
      await expectFlagsFollowTheRule(pool.db, campaign.id);
      const full = await pool.db.select({ n: items.judgmentCount, full: items.kReached, ext: items.kExtended }).from(items).where(eq(items.campaignId, campaign.id));
      expect(full.every((r) => r.full && r.n === (r.ext ? 4 : 2))).toBe(true);
      expect(full.filter((r) => r.ext).length).toBeGreaterThan(0);
      expect(full.filter((r) => !r.ext).length).toBeGreaterThan(30);
      // No over-leasing: nobody was handed an item whose slots were already promised.
      expect(refused).toBe(0);
    } finally {
      await pool.close();
    }
  });
});
