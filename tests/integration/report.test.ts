import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { campaignMembers, campaigns, externalRaters, items, judgments, users } from "@/db/schema";
import { campaignProgress } from "@/db/queries/campaigns";
import { seedDemo } from "@/db/seed";
import { computeReport, DECILE_CUTS, DEFAULT_REPORT_PARAMS, disagreementPage, getReport, type Report } from "@/lib/report";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import type { DbHandle } from "@/db/client";
import { backends, type TestDb } from "./backends";
import { openReplica, reportDbs } from "./replica-support";
import { recordDesign } from "./design-fixture";

const stable = (r: Report) => ({ ...r, computedAt: "" });

/**
 * A campaign small enough to check by hand (likert 1–5, k = 2, cut point 0.5, minimum n 2):
 *   group a (tail 0, bucket 0–0.5): a1 routed π=.5, judge 4, people [4, 4] (+ a 1 from an excluded member)
 *                                   a2 routed π=.5, judge 3, people [3, 5]; a3, a4 not routed (π=.5)
 *   group b (tail 0.9, bucket 0.5–1): b1 routed π=1, judge 5, people [2, 2]; b2 routed π=1, judge 4,
 *                                   one imported rating [4]; b3 routed π=1, not rated yet
 * Non-response: cell (b, tail) has 2 of 3 routed items rated, so π_eff = 2/3 (w = 1.5); cell (a, control) 2 of 2.
 */
async function insertFixture(t: TestDb): Promise<string> {
  const [owner, ann1, ann2, excluded] = await t.db
    .insert(users)
    .values(["o", "h1", "h2", "x"].map((n) => ({ email: `${n}@fixture.test`, name: n, role: "researcher" as const })))
    .returning({ id: users.id });
  const [c] = await t.db
    .insert(campaigns)
    .values({ slug: "fixture", name: "Fixture", rubric: { type: "likert", min: 1, max: 5 }, k: 2, routingPolicy: defaultRoutingPolicy, ownerId: owner!.id, status: "active", stratificationKey: "g" })
    .returning({ id: campaigns.id });
  const campaignId = c!.id;
  await t.db.insert(campaignMembers).values([
    { campaignId, userId: owner!.id, role: "owner" },
    { campaignId, userId: ann1!.id, role: "annotator" },
    { campaignId, userId: ann2!.id, role: "annotator" },
    { campaignId, userId: excluded!.id, role: "annotator", excludedFromReports: true },
  ]);
  const [ext] = await t.db.insert(externalRaters).values({ campaignId, pseudonym: "prior-study-7" }).returning({ id: externalRaters.id });
  const spec = [
    { id: "a1", group: "a", tail: 0, routed: true, pi: 0.5, reason: "control" as const, judge: 4 },
    { id: "a2", group: "a", tail: 0, routed: true, pi: 0.5, reason: "control" as const, judge: 3 },
    { id: "a3", group: "a", tail: 0, routed: false, pi: 0.5, reason: null, judge: 5 },
    { id: "a4", group: "a", tail: 0, routed: false, pi: 0.5, reason: null, judge: 2 },
    { id: "b1", group: "b", tail: 0.9, routed: true, pi: 1, reason: "tail" as const, judge: 5 },
    { id: "b2", group: "b", tail: 0.9, routed: true, pi: 1, reason: "tail" as const, judge: 4 },
    { id: "b3", group: "b", tail: 0.9, routed: true, pi: 1, reason: "tail" as const, judge: 3 },
  ];
  const rows = await t.db
    .insert(items)
    .values(spec.map((s) => ({ campaignId, externalId: s.id, input: `<b>q ${s.id}</b>`, output: `answer ${s.id}`, group: s.group, tailScore: s.tail, routed: s.routed, inclusionProb: s.pi, routeReason: s.reason, judgeScore: s.judge, judgeRationale: `judge says ${s.judge}` })))
    .returning({ id: items.id, externalId: items.externalId });
  const id = (ext: string) => rows.find((r) => r.externalId === ext)!.id;
  const j = (item: string, annotatorId: string | null, value: number, externalRaterId: string | null = null) => ({ campaignId, itemId: id(item), annotatorId, externalRaterId, value, rationale: `rated ${value}`, source: externalRaterId ? ("import" as const) : ("app" as const) });
  await t.db.insert(judgments).values([
    j("a1", ann1!.id, 4), j("a1", ann2!.id, 4), j("a1", excluded!.id, 1),
    j("a2", ann1!.id, 3), j("a2", ann2!.id, 5),
    j("b1", ann1!.id, 2), j("b1", ann2!.id, 2),
    j("b2", null, 4, ext!.id),
  ]);
  await t.db.execute(sql`update ${items} set judgment_count = (select count(*) from ${judgments} where item_id = ${items.id}) where campaign_id = ${campaignId}`);
  await recordDesign(t.db, campaignId);
  return campaignId;
}

describe.each(backends())("disagreement report on $name", (backend) => {
  let t: TestDb;
  let demoId: string;
  let fixtureId: string;
  let demo: Report;
  let replica: DbHandle | null;

  beforeAll(async () => {
    t = await backend.open();
    replica = await openReplica(t.replicaUrl);
    ({ campaignId: demoId } = await seedDemo(t.db));
    fixtureId = await insertFixture(t);
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.id, demoId));
    demo = await computeReport(t.db, c!, { ...DEFAULT_REPORT_PARAMS, cuts: DECILE_CUTS, minN: 20 });
  });
  afterAll(async () => {
    await replica?.close();
    await t?.drop();
  });

  it("matches the hand-checked fixture", async () => {
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.id, fixtureId));
    const r = await computeReport(t.db, c!, { ...DEFAULT_REPORT_PARAMS, cuts: [0.5], minN: 2 });
    const o = r.overall;
    // 7 items, 5 routed, all 5 in the sample; fully judged (k = 2, counted ratings) a1, a2, b1; rated a1 a2 b1 b2;
    // pairable a1 a2 b1. b2's imported rating makes it a prior-labels item (census, π = 1) in a cell of its own.
    expect(o.counts).toEqual({ items: 7, judged: 7, routed: 5, sampled: 5, fullyJudged: 3, labelled: 4, pairable: 3 });
    // Consensus (median, ties to the lower rating): a1 4, a2 3, b1 2, b2 4. Judge agrees on a1, a2, b2.
    // Non-response: cell (b, tail) has 1 of 2 sampled items rated (b1), so π_eff = 1/2 (w = 2); b2 (prior) w = 1;
    // cell (a, control) 2 of 2 at π = .5 (w = 2). Hájek: (2 + 2 + 1) / 7; naive 3/4.
    expect(o.judgeAgreement!.estimate).toBeCloseTo(5 / 7, 10);
    expect(o.judgeAgreementNaive!.estimate).toBe(0.75);
    // Bias with the averaged median (a2: 3 − 4 = −1; b1: 5 − 2 = 3): (1/N) Σ d/π_eff = (−1/0.5 + 3/0.5) / 7 = 4/7.
    expect(o.bias!.estimate).toBeCloseTo(4 / 7, 10);
    expect(o.biasNaive!.estimate).toBeCloseTo(0.5, 10);
    // Against the human mean (a1 4, a2 4, b1 2, b2 4) the same here: a2 3 − 4, b1 5 − 2.
    expect(o.biasMean!.estimate).toBeCloseTo(4 / 7, 10);
    // Pairs that agree: a1 1, a2 0, b1 1, weights 2, 2, 2 → 4/6.
    expect(o.humanAgreement!.estimate).toBeCloseTo(4 / 6, 10);
    // α (interval, weighted coincidences o44 = 4, o35 = o53 = 2, o22 = 4; n = 12): 1 − 11·16/352.
    expect(o.humanAlpha!.estimate).toBeCloseTo(1 - 176 / 352, 10);
    // κ (quadratic): weighted table judge × consensus (codes) (3,3) 3, (2,2) 2, (4,1) 2: observed 2·(3/4)² = 1.125,
    // expected Σ w_ij r_i c_j / 7 = 6.125/7.
    expect(o.kappa!.estimate).toBeCloseTo(1 - 1.125 / (6.125 / 7), 10);
    expect(o.kappaQuadratic!.estimate).toBe(o.kappa!.estimate);
    // Unweighted: observed disagreement 2/7 against expected 1 − (3·3 + 2·2 + 0)/49 = 36/49.
    expect(o.kappaUnweighted!.estimate).toBeCloseTo(1 - (2 / 7) / (36 / 49), 10);

    const [a, b] = [r.groups.find((g) => g.key === "a")!, r.groups.find((g) => g.key === "b")!];
    expect(a.counts.items).toBe(4);
    expect(a.judgeAgreement!.estimate).toBe(1);
    expect(a.bias!.estimate).toBeCloseTo(-2 / 4, 10);
    expect(b.judgeAgreement!.estimate).toBeCloseTo(1 / 3, 10);
    expect(b.bias!.estimate).toBeCloseTo(6 / 3, 10);
    expect(r.buckets.map((x) => [x.key, x.counts.items])).toEqual([["0–0.5", 4], ["0.5–1", 3]]);
    expect(r.reference).toMatchObject({ kind: "bucket", key: "0–0.5", bucket: "0–0.5", group: null });
    // Every judgment is accounted for: the excluded member's rating on a1 is set aside with its reason.
    expect(r.accounting).toEqual({ counted: { items: 4, judgments: 7 }, setAside: [expect.objectContaining({ reason: "excluded_rater", items: 1, judgments: 1 })] });
    // A researcher-chosen reference: every other stratum is tested against group b; b itself is not tested.
    const byGroup = await computeReport(t.db, c!, { ...DEFAULT_REPORT_PARAMS, cuts: [0.5], minN: 2, reference: { kind: "group", group: "b" } });
    expect(byGroup.reference).toMatchObject({ kind: "group", key: "b", group: "b" });
    expect(byGroup.groups.find((g) => g.key === "b")!.worse).toBeNull();
    expect(byGroup.groups.find((g) => g.key === "a")!.worse).not.toBeNull();

    // The one confident disagreement is b1 (judge 5, people 2, 2); its evidence shows both ratings, not the excluded one.
    expect(r.disagreements.map((d) => [d.externalId, d.judge, d.consensus, d.gap])).toEqual([["b1", 5, 2, 3]]);
    const page = await disagreementPage(fixtureId, r, {}, 1, 10, t.db);
    expect(page.rows[0]!.detail!.ratings.map((x) => x.value)).toEqual([2, 2]);
    expect(page.rows[0]!.detail!.judgeRationale).toBe("judge says 5");
    expect(await disagreementPage(fixtureId, r, { group: "a" }, 1, 10, t.db)).toEqual({ total: 0, rows: [] });
    // Another campaign's report cannot pull this campaign's items.
    expect((await disagreementPage(demoId, r, {}, 1, 10, t.db)).rows[0]!.detail).toBeNull();

    // Minimum n: with minN 3 the groups (2 rated items each) have not enough data.
    const strict = await computeReport(t.db, c!, { ...DEFAULT_REPORT_PARAMS, cuts: [0.5], minN: 3 });
    expect(strict.groups.every((g) => !g.enough && g.judgeAgreement === null)).toBe(true);
    expect(strict.overall.enough).toBe(true);
  });

  it("computes the demo report: the judge is worse on the tail, and the naive analysis is fooled", async () => {
    const progress = await campaignProgress(t.db, demoId, 3);
    expect(demo.overall.counts.items).toBe(2000);
    expect(demo.overall.counts.routed).toBe(progress.routed);
    expect(demo.overall.counts.fullyJudged).toBe(progress.fullyJudged);
    const [{ n }] = (await t.db.execute(sql`select count(distinct item_id)::int as n from ${judgments} where campaign_id = ${demoId}`).then((x) => (Array.isArray(x) ? x : (x as { rows: unknown[] }).rows))) as [{ n: number }];
    expect(demo.overall.counts.labelled).toBe(n);
    expect(demo.buckets.reduce((s, b) => s + b.counts.items, 0)).toBe(2000);
    expect(demo.groups).toHaveLength(12);
    const first = demo.buckets.find((b) => b.enough)!;
    const last = demo.buckets.filter((b) => b.enough).at(-1)!;
    expect(first.key).toBe("0–0.1");
    expect(last.judgeAgreement!.estimate).toBeLessThan(first.judgeAgreement!.estimate - 0.15);
    expect(last.worse!.flagged).toBe(true);
    expect(last.bias!.estimate).toBeGreaterThan(0.3);
    // Rated items are mostly tail items, where the judge over-scores: the naive bias overstates the population's.
    expect(demo.overall.biasNaive!.estimate).toBeGreaterThan(demo.overall.bias!.estimate + 0.1);
    for (const s of [demo.overall, ...demo.buckets, ...demo.groups].filter((x) => x.enough)) {
      for (const iv of [s.judgeAgreement, s.humanAgreement, s.kappa, s.bias]) {
        expect(iv!.lower).toBeLessThanOrEqual(iv!.estimate);
        expect(iv!.upper).toBeGreaterThanOrEqual(iv!.estimate);
      }
    }
    expect(demo.groups.filter((g) => !g.enough).length).toBeGreaterThan(0);
    expect(demo.disagreements.length).toBeGreaterThan(20);
  });

  it("is deterministic, cached, and recomputed when judgments or exclusions change", async () => {
    const [c] = await t.db.select().from(campaigns).where(eq(campaigns.id, demoId));
    const params = { ...DEFAULT_REPORT_PARAMS, cuts: DECILE_CUTS, minN: 20 };
    const again = await computeReport(t.db, c!, params);
    expect(stable(again)).toEqual(stable(demo));
    // With the run's replica (MARGIN_TEST_REPLICA=1), every report below is read there, right after the writes.
    const dbs = () => reportDbs(t.db, replica?.db ?? null);
    const first = await getReport(c!, params, await dbs());
    expect(first.cached).toBe(false);
    expect(first.freshness.source).toBe(replica ? "replica" : "primary");
    const second = await getReport(c!, params, await dbs());
    expect(second.cached).toBe(true);
    expect(stable(second.report)).toEqual(stable(first.report));
    // Other parameters are another cache entry.
    expect((await getReport(c!, { ...DEFAULT_REPORT_PARAMS, cuts: [0.5, 0.8], minN: 20 }, await dbs())).cached).toBe(false);

    // Excluding a member changes the watermark and drops their judgments.
    const [ada] = await t.db.select({ id: users.id }).from(users).where(eq(users.email, "ada@margin.demo"));
    await t.db.update(campaignMembers).set({ excludedFromReports: true }).where(and(eq(campaignMembers.campaignId, demoId), eq(campaignMembers.userId, ada!.id)));
    const third = await getReport(c!, params, await dbs());
    expect(third.cached).toBe(false);
    expect(third.report.watermark).not.toBe(first.report.watermark);
    const pairs = (r: Report) => r.overall.counts.pairable;
    expect(pairs(third.report)).toBeLessThan(pairs(first.report));
    // "Fully judged" counts the judgments the report counts: items that had k only with Ada's are no longer full.
    expect(third.report.overall.counts.fullyJudged).toBeLessThan(first.report.overall.counts.fullyJudged);
    await t.db.update(campaignMembers).set({ excludedFromReports: false }).where(and(eq(campaignMembers.campaignId, demoId), eq(campaignMembers.userId, ada!.id)));

    // A new judgment invalidates the cache too.
    const [unrated] = await t.db.select({ id: items.id }).from(items).where(and(eq(items.campaignId, demoId), eq(items.routed, true), eq(items.judgmentCount, 0))).limit(1);
    await t.db.insert(judgments).values({ campaignId: demoId, itemId: unrated!.id, annotatorId: ada!.id, value: 3 });
    const fourth = await getReport(c!, params, await dbs());
    expect(fourth.cached).toBe(false);
    expect(fourth.report.overall.counts.labelled).toBe(first.report.overall.counts.labelled + 1);
    expect((await getReport(c!, params, await dbs())).cached).toBe(true);

    // Items change only through an import or a routing run; each invalidates.
    const { importItems } = await import("@/lib/ingest/import-items");
    const researcher = (await t.db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo")))[0]!.id;
    const rows = async function* () {
      yield Buffer.from(`${JSON.stringify({ id: "late-arrival", output: "new text", language: "en" })}\n`);
    };
    await importItems(t.db, c!, rows(), { format: "jsonl", actorId: researcher });
    const fifth = await getReport(c!, params, await dbs());
    expect(fifth.cached).toBe(false);
    // Not yet in any routing run's design: the population is the run's, until the next run takes the item in.
    expect(fifth.report.overall.counts.items).toBe(fourth.report.overall.counts.items);
    const { runRouting } = await import("@/lib/routing/run-routing");
    await runRouting(t.db, demoId, { actorId: researcher });
    const sixth = await getReport(c!, params, await dbs());
    expect(sixth.cached).toBe(false);
    expect(sixth.report.overall.counts.items).toBe(fourth.report.overall.counts.items + 1);
  });
});
