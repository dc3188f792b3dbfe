import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { openDb, rowsOf } from "@/db/client";
import { migrateHandle } from "@/db/migrate";
import { campaignProgress, findCampaignBySlug, groupCoverage, listCampaigns } from "@/db/queries/campaigns";
import { auditEvents, campaignMembers, campaigns, items, judgments, users } from "@/db/schema";
import { DEMO_SLUG, demoCampaignId, isEmpty, seedDemo } from "@/db/seed";
import { DEMO_PASSWORD } from "@/db/demo-data";
import { authenticate } from "@/lib/auth/credentials";
import { backends, type TestDb } from "./backends";

describe.each(backends())("foundation on $name", (backend) => {
  let t: TestDb;
  let campaignId: string;

  beforeAll(async () => {
    t = await backend.open();
    expect(await isEmpty(t.db)).toBe(true);
    ({ campaignId } = await seedDemo(t.db));
  });
  afterAll(async () => {
    await t?.drop();
  });

  if (backend.name === "postgres") it("starts every app connection with statement, lock and idle-in-transaction limits", async () => {
    const { dbTimeouts } = await import("@/db/timeouts");
    const t0 = dbTimeouts();
    // Several reads, so more than one pooled connection answers.
    const rows = await Promise.all(
      Array.from({ length: 4 }, async () =>
        rowsOf<{ s: string; l: string; i: string }>(
          await t.db.execute(sql`select current_setting('statement_timeout') as s, current_setting('lock_timeout') as l, current_setting('idle_in_transaction_session_timeout') as i`),
        )[0]!,
      ),
    );
    const asMs = (v: string) => (v === "0" ? 0 : Number(/^(\d+)ms$/.exec(v)?.[1] ?? (/^(\d+)s$/.exec(v) ? Number(/^(\d+)s$/.exec(v)![1]) * 1000 : /^(\d+)min$/.exec(v) ? Number(/^(\d+)min$/.exec(v)![1]) * 60_000 : NaN)));
    for (const r of rows) expect({ s: asMs(r.s), l: asMs(r.l), i: asMs(r.i) }).toEqual({ s: t0.statementMs, l: t0.lockMs, i: t0.idleInTransactionMs });
  });

  it("applies migrations idempotently: a second run changes nothing", async () => {
    const count = async () =>
      rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0]!.n;
    const before = await count();
    // On the server, migrations hold a session lock: through the run's PgBouncer they go to the server itself.
    const direct = t.kind === "postgres" && t.pooler ? await openDb({ url: t.directUrl!, pooler: false, max: 2, timeouts: false, hotPool: false }) : null;
    try {
      await migrateHandle(direct ?? t);
      await migrateHandle(direct ?? t);
      if (direct) await expect(migrateHandle(t)).rejects.toThrow(/transaction pooler/);
    } finally {
      await direct?.close();
    }
    expect(await count()).toBe(before);
    expect(before).toBeGreaterThanOrEqual(2);
    const [{ n }] = await t.db.select({ n: sql<number>`count(*)::int` }).from(items) as [{ n: number }];
    expect(n).toBe(2000);
  });

  it("seeds a realistic demo: ~2,000 items, 12 languages with Zipf-like frequencies", async () => {
    expect(await demoCampaignId(t.db)).toBe(campaignId);
    const groups = await groupCoverage(t.db, campaignId);
    expect(groups).toHaveLength(12);
    const sizes = groups.map((g) => g.items);
    // Zipf-like: the most common language has many times the rarest.
    expect(sizes[0]! / sizes.at(-1)!).toBeGreaterThan(6);
    expect(groups[0]!.group).toBe("en");
    expect(groups[0]!.tail).toBe(0);
    const userCount = await t.db.select({ n: sql<number>`count(*)::int` }).from(users);
    expect(userCount[0]!.n).toBe(6);
  });

  it("simulates a judge that is worse and over-confident on rare languages", async () => {
    // Mean |judge − mean human rating| on the bulk (tail < 0.5) vs the tail (≥ 0.8), over rated items.
    const rows = rowsOf<{ bucket: string; err: number; conf: number; n: number }>(
      await t.db.execute(sql`
        select case when i.tail_score < 0.5 then 'bulk' when i.tail_score >= 0.8 then 'tail' else 'mid' end as bucket,
               avg(abs((i.judge_score)::text::float8 - h.mean))::float8 as err,
               avg(i.judge_confidence)::float8 as conf, count(*)::int as n
        from ${items} i
        join (select item_id, avg((value)::text::float8) as mean from ${judgments} group by item_id) h on h.item_id = i.id
        where i.campaign_id = ${campaignId}
        group by 1`),
    );
    const bulk = rows.find((r) => r.bucket === "bulk")!;
    const tail = rows.find((r) => r.bucket === "tail")!;
    expect(bulk.n).toBeGreaterThan(20);
    expect(tail.n).toBeGreaterThan(20);
    expect(tail.err).toBeGreaterThan(bulk.err * 1.5);
    // Over-confident: confidence on the tail drops far less than its error grows.
    expect(tail.conf).toBeGreaterThan(0.6);
  });

  it("routes every rare and unsure item with π = 1 and a control sample with π = p", async () => {
    const rows = rowsOf<{ reason: string | null; routed: boolean; pi: number; n: number }>(
      await t.db.execute(sql`select route_reason::text as reason, routed, min(inclusion_prob)::float8 as pi, count(*)::int as n
        from ${items} where campaign_id = ${campaignId} group by 1, 2`),
    );
    expect(rows.find((r) => r.reason === "tail")!.pi).toBe(1);
    expect(rows.find((r) => r.reason === "control")!.pi).toBeCloseTo(0.1, 10);
    const unrouted = rows.find((r) => !r.routed)!;
    expect(unrouted.pi).toBeCloseTo(0.1, 10);
    const progress = await campaignProgress(t.db, campaignId, 3);
    expect(progress.routed).toBe(rows.filter((r) => r.routed).reduce((a, r) => a + r.n, 0));
    const [{ n }] = (await t.db.select({ n: sql<number>`count(*)::int` }).from(judgments)) as [{ n: number }];
    expect(progress.judgments).toBe(n);
    expect(n).toBeGreaterThan(300);
  });

  it("enforces the domain's uniqueness and range constraints", async () => {
    const [item] = await t.db.select().from(items).where(eq(items.campaignId, campaignId)).limit(1);
    await expect(
      t.db.insert(items).values({ campaignId, externalId: item!.externalId, output: "dup" }),
    ).rejects.toThrow();
    await expect(
      t.db.insert(items).values({ campaignId, externalId: "bad-confidence", output: "x", judgeConfidence: 1.5 }),
    ).rejects.toThrow();
    const [j] = await t.db.select().from(judgments).limit(1);
    await expect(
      t.db.insert(judgments).values({ campaignId, itemId: j!.itemId, annotatorId: j!.annotatorId, value: 3 }),
    ).rejects.toThrow();
  });

  it("keeps audit events append-only in the database", async () => {
    const [ev] = await t.db.select().from(auditEvents).limit(1);
    expect(ev).toBeDefined();
    await expect(t.db.update(auditEvents).set({ action: "tampered" }).where(eq(auditEvents.id, ev!.id))).rejects.toThrow();
    await expect(t.db.delete(auditEvents).where(eq(auditEvents.id, ev!.id))).rejects.toThrow();
    const [again] = await t.db.select().from(auditEvents).where(eq(auditEvents.id, ev!.id));
    expect(again!.action).toBe(ev!.action);
  });

  it("lists public campaigns to everyone and invite-only ones to members only", async () => {
    const [researcher] = await t.db.select().from(users).where(eq(users.email, "researcher@margin.demo"));
    const [ada] = await t.db.select().from(users).where(eq(users.email, "ada@margin.demo"));
    const [hidden] = await t.db
      .insert(campaigns)
      .values({
        slug: "private-study",
        name: "Private study",
        rubric: { type: "binary", labels: ["bad", "good"] },
        routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.9, controlRate: 0.05 },
        visibility: "invite",
        status: "active",
        ownerId: researcher!.id,
      })
      .returning();
    await t.db.insert(campaignMembers).values({ campaignId: hidden!.id, userId: researcher!.id, role: "owner" });
    const anon = await listCampaigns(t.db, { userId: null, all: false, limit: 10, offset: 0 });
    expect(anon.rows.map((r) => r.slug)).toEqual([DEMO_SLUG]);
    const owner = await listCampaigns(t.db, { userId: researcher!.id, all: false, limit: 10, offset: 0 });
    expect(owner.rows.map((r) => r.slug).sort()).toEqual([DEMO_SLUG, "private-study"]);
    expect(owner.rows.find((r) => r.slug === DEMO_SLUG)!.itemCount).toBe(2000);
    const contributor = await listCampaigns(t.db, { userId: ada!.id, all: false, limit: 10, offset: 0 });
    expect(contributor.rows.map((r) => r.slug)).toEqual([DEMO_SLUG]);
    expect(contributor.rows[0]!.memberRole).toBe("annotator");
    const paged = await listCampaigns(t.db, { userId: null, all: true, limit: 1, offset: 1 });
    expect(paged.total).toBe(2);
    expect(paged.rows).toHaveLength(1);
    const found = await findCampaignBySlug(t.db, "private-study", ada!.id);
    expect(found!.memberRole).toBeNull();
    await t.db.delete(campaignMembers).where(and(eq(campaignMembers.campaignId, hidden!.id)));
  });

  it("authenticates demo users and treats unknown emails and wrong passwords alike", async () => {
    const ok = await authenticate(t.db, "  Researcher@Margin.demo ", DEMO_PASSWORD);
    expect(ok.ok && ok.user.email).toBe("researcher@margin.demo");
    expect(await authenticate(t.db, "researcher@margin.demo", "wrong-password")).toEqual({ ok: false, reason: "invalid" });
    expect(await authenticate(t.db, "nobody@margin.demo", DEMO_PASSWORD)).toEqual({ ok: false, reason: "invalid" });
    const [row] = await t.db.select({ hash: users.passwordHash }).from(users).where(eq(users.email, "ada@margin.demo"));
    expect(row!.hash).toMatch(/^scrypt\$/);
    expect(row!.hash).not.toContain(DEMO_PASSWORD);
  });
});
