import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { campaigns, items, routingRuns, users, type Campaign } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { assignNextItem } from "@/lib/assign/assign-next";
import { submitJudgment } from "@/lib/assign/submit";
import { createCampaign } from "@/lib/campaigns/manage";
import { importItems } from "@/lib/ingest/import-items";
import { computeReport, DEFAULT_REPORT_PARAMS } from "@/lib/report";
import { planCampaign } from "@/lib/report/plan";
import { runRouting } from "@/lib/routing/run-routing";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, type TestDb } from "./backends";

const bytes = (text: string) => (async function* () {
  yield Buffer.from(text);
})();

// 240 items: 180 in a common language where the judge is right, 60 in a rare one where it is wrong by 2 points
// (and still confident). Every human rates an item at its true score.
const N_COMMON = 180;
const N_RARE = 60;
const rows = Array.from({ length: N_COMMON + N_RARE }, (_, i) => {
  const rare = i >= N_COMMON;
  const truth = 1 + (i % 3);
  return {
    id: `r${String(i).padStart(4, "0")}`,
    input: `question ${i}`,
    output: `answer ${i}`,
    judge_score: rare ? truth + 2 : truth,
    judge_confidence: 0.5 + ((i * 37) % 50) / 100,
    language: rare ? "fo" : "en",
    truth,
  };
});
const truthOf = new Map(rows.map((r) => [r.id, r.truth]));

describe.each(backends())("routing rounds on $name", (backend) => {
  let t: TestDb;
  let researcherId: string;
  let raters: string[];
  let c: Campaign;
  const load = async () => (c = (await t.db.select().from(campaigns).where(eq(campaigns.id, c.id)))[0]!);

  /** Rate every item the pool offers (k = 1), each at its true score. */
  const rateAll = async () => {
    let n = 0;
    for (const who of raters) {
      for (;;) {
        const leased = await assignNextItem(t.db, c, who);
        if (!leased) break;
        const [it] = await t.db.select({ ext: items.externalId }).from(items).where(eq(items.id, leased.itemId));
        await submitJudgment(t.db, c, who, { assignmentId: leased.assignmentId, value: truthOf.get(it!.ext)! });
        n++;
      }
    }
    return n;
  };
  const records = async (runId: string) =>
    rowsOf<{ ext: string; group: string; route_pi: number; routed: boolean; in_sample: boolean; pi: number; reason: string | null; confidence: number | null }>(
      await t.db.execute(sql`select i.external_id as ext, r."group", r.route_pi, r.routed, r.in_sample, r.pi, r.reason, r.confidence
        from inclusion_records r join items i on i.id = r.item_id where r.run_id = ${runId} order by i.external_id`),
    );
  const runOf = async (id: string) => (await t.db.select().from(routingRuns).where(eq(routingRuns.id, id)))[0]!;

  beforeAll(async () => {
    t = await backend.open();
    await seedDemo(t.db, { items: 10 });
    const id = async (email: string) => (await t.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    researcherId = await id("researcher@margin.demo");
    raters = await Promise.all(["ada@margin.demo", "bayo@margin.demo"].map(id));
    const created = await createCampaign(
      t.db,
      campaignCreateSchema.parse({
        name: "Rounds",
        k: 1,
        rubric: { type: "likert", min: 1, max: 5 },
        stratificationKey: "language",
        tailMethod: "group",
        routingPolicy: { kind: "active", confidenceThreshold: 0.55, tailThreshold: 0.9, controlRate: 0.15, budget: 60, piMin: 0.05, trustTarget: 0.8, trustDelta: 0.2 },
      }),
      { actorId: researcherId },
    );
    c = created as Campaign;
    // A fixed routing seed: the draws (and so the intervals checked against the truth below) are the same on every
    // run; a random seed would make the coverage checks fail on about one run in twenty, by design of a 95 % interval.
    await t.db.update(campaigns).set({ status: "active", routingSeed: "rounds-test-2026" }).where(eq(campaigns.id, c.id));
    await load();
    await importItems(t.db, c, bytes(rows.map(({ truth: _t, ...r }) => JSON.stringify(r)).join("\n")), { format: "jsonl", actorId: researcherId });
  });
  afterAll(async () => t?.drop());

  it("round 1 of an active policy falls back to the rules; round 2 draws π ∝ √(predicted error) within the budget, floor π_min", async () => {
    const first = await runRouting(t.db, c.id, { actorId: researcherId });
    expect(first).toMatchObject({ round: 1, kind: "rules" });
    expect(await runOf(first.runId)).toMatchObject({ round: 1, kind: "rules" });
    const r1 = await records(first.runId);
    expect(r1.every((r) => r.confidence !== null)).toBe(true);
    const rated = await rateAll();
    expect(rated).toBe(r1.filter((r) => r.routed).length);

    const second = await runRouting(t.db, c.id, { actorId: researcherId });
    expect(second).toMatchObject({ round: 2, kind: "active" });
    const run2 = await runOf(second.runId);
    expect(run2).toMatchObject({ round: 2, kind: "active" });
    expect(run2.details).toMatchObject({ budget: 60, piMin: 0.05, labelsUsed: rated });
    expect((run2.details as { errorModel: { kind: string } }).errorModel.kind).toBe("logistic");
    const r2 = await records(second.runId);
    const before = new Map(r1.map((r) => [r.ext, r]));
    // This round's draw: Σπ = budget, every π in [π_min, 1]; the judge fails on "fo", so "fo" items get more.
    expect(r2.reduce((s, r) => s + r.route_pi, 0)).toBeCloseTo(60, 6);
    expect(r2.every((r) => r.route_pi >= 0.05 - 1e-12 && r.route_pi <= 1)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(r2.filter((r) => r.group === "fo").map((r) => r.route_pi))).toBeGreaterThan(2 * mean(r2.filter((r) => r.group === "en").map((r) => r.route_pi)));
    for (const r of r2) {
      const b = before.get(r.ext)!;
      if (b.in_sample) {
        // Drawn by round 1: a certainty unit given the past, with its first reason.
        expect(r).toMatchObject({ in_sample: true, pi: 1, reason: b.reason });
      } else if (r.routed) {
        expect(r).toMatchObject({ in_sample: true, reason: "active" });
        expect(r.pi).toBeCloseTo(r.route_pi, 12);
      } else expect(r.in_sample).toBe(false);
    }
    // The pool keeps what round 1 drew and adds round 2's draws.
    const routedNow = await t.db.$count(items, and(eq(items.campaignId, c.id), eq(items.routed, true)));
    expect(routedNow).toBe(r2.filter((r) => before.get(r.ext)!.routed || r.routed).length);

    await rateAll();
    const report = await computeReport(t.db, await load(), { ...DEFAULT_REPORT_PARAMS, minN: 5 });
    const alloc = report.allocation!;
    expect(alloc.rounds!.runs.map((r) => [r.round, r.kind])).toEqual([[1, "rules"], [2, "active"]]);
    const overall = alloc.rounds!.strata.find((s) => s.kind === "overall")!;
    // The truth: the judge agrees on the 180 common items only.
    const truthAgreement = N_COMMON / (N_COMMON + N_RARE);
    expect(overall.agreement!.lower).toBeLessThanOrEqual(truthAgreement);
    expect(overall.agreement!.upper).toBeGreaterThanOrEqual(truthAgreement);
    expect(overall.perRound).toHaveLength(2);
    const fo = alloc.rounds!.strata.find((s) => s.kind === "group" && s.key === "fo")!;
    expect(fo.agreement!.estimate).toBe(0);
    // Failure yield by round: errors are the "fo" items each round first drew, per human label (k = 1).
    const byRound = alloc.yield.byRound;
    expect(byRound.map((r) => r.key)).toEqual(["1", "2"]);
    const foRated = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from judgments j join items i on i.id = j.item_id where j.campaign_id = ${c.id} and i."group" = 'fo'`))[0]!.n;
    expect(byRound.reduce((s, r) => s + r.judgeErrors, 0)).toBe(foRated);
    for (const r of byRound) expect(r.perLabel).toBeCloseTo(r.judgeErrors / r.humanLabels, 12);
    // Trust: the common language certifies (the judge is always right there), the rare one does not. (The
    // weights 1/π of the control and active draws shrink the effective n, hence a lenient target and δ here.)
    const trustEn = alloc.trust.rows.find((r) => r.kind === "group" && r.key === "en")!;
    const trustFo = alloc.trust.rows.find((r) => r.kind === "group" && r.key === "fo")!;
    expect(trustEn.threshold).not.toBeNull();
    expect(trustEn.coverage).toBeGreaterThan(0);
    expect(trustFo.threshold).toBeNull();
  });

  it("escalate sends items below their bucket's trust threshold to people; rules start over at round 1", async () => {
    await t.db.update(campaigns).set({ routingPolicy: { ...c.routingPolicy, kind: "escalate", trustTarget: 0.9, trustDelta: 0.1 } }).where(eq(campaigns.id, c.id));
    await load();
    const third = await runRouting(t.db, c.id, { actorId: researcherId });
    expect(third).toMatchObject({ round: 3, kind: "escalate" });
    const run3 = await runOf(third.runId);
    const thresholds = (run3.details as { thresholds: { bucket: number | null; threshold: number | null }[] }).thresholds;
    expect(thresholds.length).toBeGreaterThan(0);
    const r3 = await records(third.runId);
    for (const r of r3) expect([1, 0.15]).toContain(r.route_pi);
    // Items of "fo" (the rarest group: the top tail bucket, where the judge always fails) are all escalated.
    expect(r3.filter((r) => r.group === "fo").every((r) => r.route_pi === 1)).toBe(true);
    const report = await computeReport(t.db, await load(), { ...DEFAULT_REPORT_PARAMS, minN: 5 });
    expect(report.allocation!.rounds!.runs).toHaveLength(3);

    await t.db.update(campaigns).set({ routingPolicy: { ...c.routingPolicy, kind: "rules" } }).where(eq(campaigns.id, c.id));
    await load();
    expect(await runRouting(t.db, c.id, { actorId: researcherId })).toMatchObject({ round: 1, kind: "rules" });
  });

  it("the planner gives labels per bucket and group for the three policies", async () => {
    const plan = await planCampaign(t.db, await load(), { halfWidth: 0.1, biasHalfWidth: 0.2 });
    expect(plan.items).toBe(N_COMMON + N_RARE);
    expect(plan.groups.map((g) => g.stratum).sort()).toEqual(["en", "fo"]);
    for (const row of [...plan.groups, ...plan.buckets]) {
      for (const p of ["rules", "uniform", "active"] as const) {
        expect(row.needed[p].agreement).toBeGreaterThanOrEqual(0);
        expect(row.needed[p].agreement).toBeLessThanOrEqual(row.items + 1e-9);
      }
    }
  });
});
