import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { auditEvents, campaigns, inclusionRecords, items, itemVersions, judgments, users, type Campaign } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { assignNextItem } from "@/lib/assign/assign-next";
import { submitJudgment } from "@/lib/assign/submit";
import { createCampaign } from "@/lib/campaigns/manage";
import { importItems } from "@/lib/ingest/import-items";
import { computeReport, DEFAULT_REPORT_PARAMS, type Report } from "@/lib/report";
import { runRouting } from "@/lib/routing/run-routing";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, type TestDb } from "./backends";

const bytes = (text: string) => (async function* () {
  yield Buffer.from(text);
})();
const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join("\n");
/** The figures of a report, without what names the moment it was computed. */
const figures = (r: Report) => JSON.stringify({ ...r, computedAt: "", watermark: "" });

describe.each(backends())("the evaluation record on $name", (backend) => {
  let t: TestDb;
  let researcherId: string;
  let ada: string;
  let bayo: string;
  const fresh = async (name: string, over: Record<string, unknown> = {}): Promise<Campaign> => {
    const c = await createCampaign(t.db, campaignCreateSchema.parse({ name, rubric: { type: "likert", min: 1, max: 5 }, stratificationKey: "language", ...over }), { actorId: researcherId });
    await t.db.update(campaigns).set({ status: "active" }).where(eq(campaigns.id, c.id));
    return (await t.db.select().from(campaigns).where(eq(campaigns.id, c.id)))[0]!;
  };
  const load = async (id: string) => (await t.db.select().from(campaigns).where(eq(campaigns.id, id)))[0]!;
  const importRows = (c: Campaign, rows: Record<string, unknown>[]) => importItems(t.db, c, bytes(jsonl(rows)), { format: "jsonl", actorId: researcherId });
  const item = async (c: Campaign, ext: string) => (await t.db.select().from(items).where(and(eq(items.campaignId, c.id), eq(items.externalId, ext))))[0]!;
  const rate = async (c: Campaign, who: string, value: number) => {
    const leased = await assignNextItem(t.db, c, who);
    expect(leased).not.toBeNull();
    return { leased: leased!, ...(await submitJudgment(t.db, c, who, { assignmentId: leased!.assignmentId, value })) };
  };

  beforeAll(async () => {
    t = await backend.open();
    await seedDemo(t.db, { items: 20 });
    const id = async (email: string) => (await t.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    [researcherId, ada, bayo] = await Promise.all([id("researcher@margin.demo"), id("ada@margin.demo"), id("bayo@margin.demo")]);
  });
  afterAll(async () => t?.drop());

  it("re-import after ratings keeps each judgment on the version its rater saw", async () => {
    // Control rate 1: every item is routed (π = 1), k = 2.
    const c = await fresh("Versions", { k: 2, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.99, controlRate: 1 } });
    const rows = [
      { id: "x1", input: "q1", output: "a1", judge_score: 4, judge_confidence: 0.9, language: "en" },
      { id: "x2", input: "q2", output: "a2", judge_score: 3, judge_confidence: 0.9, language: "en" },
    ];
    await importRows(c, rows);
    await runRouting(t.db, c.id, { actorId: researcherId });
    const first = await rate(c, ada, 4);
    const ratedExt = (await t.db.select({ e: items.externalId }).from(items).where(eq(items.id, first.itemId)))[0]!.e;

    // Identical content: nothing is written, no version, the judgment stays counted.
    const same = await importRows(c, rows);
    expect(same).toMatchObject({ rowsNew: 0, rowsUpdated: 0, rowsUnchanged: 2, itemsVersioned: 0 });
    expect((await item(c, ratedExt)).version).toBe(1);

    // Bayo leases the other item; then both items change: the rated one's judgment stays on version 1, the lease closes.
    const lease = await assignNextItem(t.db, c, bayo);
    expect(lease).not.toBeNull();
    const changed = rows.map((r) => ({ ...r, output: `${r.output} (revised)` }));
    const second = await importRows(c, changed);
    expect(second).toMatchObject({ rowsUpdated: 2, itemsVersioned: 2 });
    const now = await item(c, ratedExt);
    expect(now).toMatchObject({ version: 2, output: "a" + ratedExt.slice(1) + " (revised)", judgmentCount: 0, kReached: false });
    const [old] = await t.db.select().from(itemVersions).where(eq(itemVersions.itemId, now.id));
    expect(old).toMatchObject({ version: 1, output: "a" + ratedExt.slice(1), judgeScore: ratedExt === "x1" ? 4 : 3, supersededByImport: second.importId });
    expect(old!.contentHash).not.toBe(now.contentHash);
    const [j] = await t.db.select().from(judgments).where(eq(judgments.id, first.judgmentId));
    expect(j!.itemVersion).toBe(1);
    // The lease on the changed item was closed: its submit is refused, nothing is written.
    await expect(submitJudgment(t.db, c, bayo, { assignmentId: lease!.assignmentId, value: 2 })).rejects.toThrow();
    expect(await t.db.$count(judgments, eq(judgments.campaignId, c.id))).toBe(1);
    const [audit] = await t.db.select().from(auditEvents).where(and(eq(auditEvents.campaignId, c.id), eq(auditEvents.action, "items.version")));
    expect(audit!.details).toMatchObject({ items: 2, externalIds: ["x1", "x2"] });

    // A new rating lands on version 2; the report counts it and sets the version-1 judgment aside as superseded.
    await runRouting(t.db, c.id, { actorId: researcherId });
    const fresh2 = await rate(await load(c.id), bayo, 5);
    expect((await t.db.select().from(judgments).where(eq(judgments.id, fresh2.judgmentId)))[0]!.itemVersion).toBe(2);
    const r = await computeReport(t.db, await load(c.id), { ...DEFAULT_REPORT_PARAMS, minN: 2 });
    expect(r.accounting.counted).toEqual({ items: 1, judgments: 1 });
    expect(r.accounting.setAside).toEqual([expect.objectContaining({ reason: "superseded", items: 1, judgments: 1 })]);
  });

  it("gold items are outside the design: no π, no record, and their judgments never change an estimate", async () => {
    const c = await fresh("Gold", { k: 1, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.99, controlRate: 1 } });
    const rows = Array.from({ length: 12 }, (_, i) => ({ id: `g${i}`, output: `o${i}`, judge_score: 1 + (i % 5), judge_confidence: 0.9, language: i % 2 ? "en" : "fr", ...(i < 2 ? { gold: true, gold_answer: 3 } : {}) }));
    const imported = await importRows(c, rows);
    expect(imported.rowsRejected).toBe(0);
    const summary = await runRouting(t.db, c.id, { actorId: researcherId });
    expect(summary.itemsTotal).toBe(10);
    const gold = await t.db.select().from(items).where(and(eq(items.campaignId, c.id), sql`${items.goldAnswer} is not null`));
    expect(gold.map((g) => [g.routed, g.inclusionProb, g.routeReason, g.tailScore])).toEqual([[false, null, "gold", null], [false, null, "gold", null]]);
    expect(await t.db.$count(inclusionRecords, eq(inclusionRecords.runId, summary.runId))).toBe(10);
    // Rate every sample item once, then measure.
    const cc = await load(c.id);
    for (let n = 0; n < 10; n++) await rate(cc, [ada, bayo][n % 2]!, 1 + (n % 5));
    const params = { ...DEFAULT_REPORT_PARAMS, minN: 2 };
    const before = await computeReport(t.db, cc, params);
    // Gold answers from both contributors (served at gold rate 1), judged against the gold answer.
    await t.db.update(campaigns).set({ goldRate: 1 }).where(eq(campaigns.id, c.id));
    const withGold = await load(c.id);
    for (const who of [ada, bayo]) {
      const g = await assignNextItem(t.db, withGold, who);
      expect(g!.isGold).toBe(true);
      await submitJudgment(t.db, withGold, who, { assignmentId: g!.assignmentId, value: 1 });
    }
    await t.db.update(campaigns).set({ goldRate: 0 }).where(eq(campaigns.id, c.id));
    const after = await computeReport(t.db, await load(c.id), params);
    const strip = (r: Report) => JSON.stringify([r.overall, r.buckets, r.groups, r.disagreements]);
    expect(strip(after)).toBe(strip(before));
    expect(after.overall.counts.items).toBe(10);
    expect(after.accounting.setAside).toEqual([expect.objectContaining({ reason: "gold", items: 1, judgments: 2 })]);
  });

  it("a provided tail score survives re-routing by another method", async () => {
    const c = await fresh("Provided tail", { tailMethod: "provided" });
    await importRows(c, [
      { id: "p1", output: "o", tail_score: 0.95, judge_confidence: 0.9, language: "en" },
      { id: "p2", output: "o", tail_score: 0.1, judge_confidence: 0.9, language: "en" },
      { id: "p3", output: "o", tail_score: 0.2, judge_confidence: 0.9, language: "sw" },
    ]);
    await runRouting(t.db, c.id, { actorId: researcherId });
    expect((await item(c, "p1"))).toMatchObject({ providedTailScore: 0.95, tailScore: 0.95, routeReason: "tail" });
    await t.db.update(campaigns).set({ tailMethod: "group" }).where(eq(campaigns.id, c.id));
    await runRouting(t.db, c.id, { actorId: researcherId });
    const p1 = await item(c, "p1");
    expect(p1.providedTailScore).toBe(0.95);
    expect(p1.tailScore).toBe(0); // English is the most common group
    expect((await item(c, "p3")).tailScore).toBeGreaterThan(0);
    await t.db.update(campaigns).set({ tailMethod: "provided" }).where(eq(campaigns.id, c.id));
    await runRouting(t.db, c.id, { actorId: researcherId });
    expect((await item(c, "p1")).tailScore).toBe(0.95);
    // An identical re-import changes neither.
    const again = await importRows(c, [{ id: "p1", output: "o", tail_score: 0.95, judge_confidence: 0.9, language: "en" }]);
    expect(again.rowsUnchanged).toBe(1);
  });

  it("a fully labelled import counts every label, as a census or with its label_pi", async () => {
    const c = await fresh("Fully labelled", { k: 3 });
    // Confident judge, one group: almost nothing is routed by the rules; every item carries three prior labels.
    const rows = Array.from({ length: 60 }, (_, i) => ({
      id: `f${i}`, output: `o${i}`, judge_score: 1 + (i % 5), judge_confidence: 0.95, language: "en",
      human_ratings: [{ rater: "r1", value: 1 + (i % 5) }, { rater: "r2", value: 1 + ((i + 1) % 5) }, { rater: "r3", value: 1 + (i % 5) }],
      ...(i >= 40 ? { label_pi: 0.5 } : {}),
    }));
    const res = await importRows(c, rows);
    expect(res.rowsRejected).toBe(0);
    const run = await runRouting(t.db, c.id, { actorId: researcherId });
    expect(run.byReason.prior_labels).toBe(60);
    const r = await computeReport(t.db, await load(c.id), { ...DEFAULT_REPORT_PARAMS, minN: 5 });
    expect(r.overall.counts.labelled).toBe(60);
    expect(r.accounting).toEqual({ counted: { items: 60, judgments: 180 }, setAside: [] });
    const recs = rowsOf<{ prior: number; pi: number; n: number }>(
      await t.db.execute(sql`select prior_pi as prior, pi, count(*)::int as n from inclusion_records where run_id = ${run.runId} group by 1, 2 order by 1, 2`),
    );
    // label_pi 0.5 combines with the routing draw: π = 1 − (1 − π_route)(1 − 0.5); a census is π = 1.
    expect(recs.every((x) => (Number(x.prior) === 1 ? Number(x.pi) === 1 : Number(x.pi) >= 0.5 && Number(x.pi) <= 1))).toBe(true);
    expect(recs.reduce((n, x) => n + x.n, 0)).toBe(60);
  });

  it("refuses a bad label_pi and a gold item without a gold answer as row errors, writing nothing of them", async () => {
    const c = await fresh("Bad rows");
    const res = await importRows(c, [
      { id: "b1", output: "o", human_ratings: [{ rater: "r", value: 3 }], label_pi: 0 },
      { id: "b2", output: "o", human_ratings: [{ rater: "r", value: 3 }], label_pi: 1.5 },
      { id: "b3", output: "o", label_pi: 0.5, language: "en" },
      { id: "b4", output: "o", gold: true },
      { id: "b5", output: "o", judge_score: 3.5 },
      { id: "b6", output: "o", judge_score: 5.5 },
    ]);
    expect(res.errors.map((e) => [e.line, e.reason])).toEqual([
      [1, expect.stringContaining("label_pi must be a probability in (0, 1]")],
      [2, expect.stringContaining("label_pi must be a probability in (0, 1]")],
      [4, expect.stringContaining("needs a gold_answer")],
      [6, expect.stringContaining("not on the rubric's scale")],
    ]);
    // An id PostgreSQL cannot store is a row error like any other (echoed escaped), not a failed import (the rest goes in: partial).
    const odd = await importRows(c, [{ id: "nul\u0000id", output: "o" }, { id: "lone\ud800", output: "o" }, { id: "fine", output: "o" }]);
    expect(odd.status).toBe("partial");
    expect(odd.errors.map((e) => e.externalId)).toEqual(["nul\\u0000id", "lone\ufffd"]);
    expect((await item(c, "fine")).output).toBe("o");
    // A fractional judge score (an averaged judge) is accepted on an interval scale.
    expect((await item(c, "b5")).judgeScore).toBe(3.5);
    // label_pi without ratings: an item of the prior study's frame it did not draw (it counts for the π of routed items).
    expect((await item(c, "b3")).labelPi).toBe(0.5);
    expect(await t.db.$count(items, eq(items.campaignId, c.id))).toBe(3);
  });

  it("a report on a routing run stays the same after a re-route, and names the run it used", async () => {
    const c = await fresh("Pinned run", { k: 1, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.99, controlRate: 1 } });
    await importRows(c, Array.from({ length: 30 }, (_, i) => ({ id: `r${i}`, output: `o${i}`, judge_score: 1 + (i % 5), judge_confidence: 0.9, language: i % 3 ? "en" : "fr" })));
    const run1 = await runRouting(t.db, c.id, { actorId: researcherId });
    const cc = await load(c.id);
    for (let n = 0; n < 30; n++) await rate(cc, [ada, bayo][n % 2]!, 1 + ((n * 2) % 5));
    const params = { ...DEFAULT_REPORT_PARAMS, minN: 2 };
    const before = await computeReport(t.db, cc, params);
    expect(before.design!.runId).toBe(run1.runId);
    expect(before.params.run).toBe(run1.runId);
    // A new policy routes half the items out of the sample: the latest report changes, the run-1 report does not.
    await t.db.update(campaigns).set({ routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.99, controlRate: 0.5 }, routingPolicyVersion: 2 }).where(eq(campaigns.id, c.id));
    const run2 = await runRouting(t.db, c.id, { actorId: researcherId });
    const latest = await computeReport(t.db, await load(c.id), params);
    expect(latest.design!.runId).toBe(run2.runId);
    expect(latest.accounting.setAside.find((s) => s.reason === "outside_design")!.judgments).toBeGreaterThan(0);
    const pinned = await computeReport(t.db, await load(c.id), { ...params, run: run1.runId });
    expect(figures(pinned)).toBe(figures(before));
    await expect(computeReport(t.db, cc, { ...params, run: "00000000-0000-4000-8000-000000000000" })).rejects.toThrow(/No routing run/);
  });

  it("a changed item is new work for everyone, including those who rated the old version", async () => {
    const c = await fresh("Re-rate", { k: 1, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.99, controlRate: 1 } });
    await importRows(c, [{ id: "v1", output: "first", judge_score: 3, judge_confidence: 0.9, language: "en" }]);
    await runRouting(t.db, c.id, { actorId: researcherId });
    const first = await rate(c, ada, 3);
    expect(await assignNextItem(t.db, c, ada)).toBeNull(); // nothing left for Ada (k = 1, item full)
    await importRows(c, [{ id: "v1", output: "second", judge_score: 3, judge_confidence: 0.9, language: "en" }]);
    await runRouting(t.db, c.id, { actorId: researcherId });
    // Version 2 needs a rating again, and Ada may give it: her version-1 rating stays where it was.
    const again = await rate(await load(c.id), ada, 5);
    expect(again.itemId).toBe(first.itemId);
    const mine = await t.db.select({ v: judgments.itemVersion, value: judgments.value }).from(judgments).where(eq(judgments.itemId, first.itemId)).orderBy(judgments.itemVersion);
    expect(mine).toEqual([{ v: 1, value: 3 }, { v: 2, value: 5 }]);
    const r = await computeReport(t.db, await load(c.id), { ...DEFAULT_REPORT_PARAMS, minN: 1 });
    expect(r.accounting.counted).toEqual({ items: 1, judgments: 1 });
    expect(r.accounting.setAside).toEqual([expect.objectContaining({ reason: "superseded", judgments: 1 })]);
  });

  it("an item that becomes gold is a new version: checks on it never enter a report on an earlier run", async () => {
    const c = await fresh("Becomes gold", { k: 1, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.99, controlRate: 1 } });
    const rows = Array.from({ length: 6 }, (_, i) => ({ id: `b${i}`, output: `o${i}`, judge_score: 1 + (i % 5), judge_confidence: 0.9, language: "en" }));
    await importRows(c, rows);
    const run1 = await runRouting(t.db, c.id, { actorId: researcherId });
    const cc = await load(c.id);
    for (let n = 0; n < 6; n++) await rate(cc, ada, 2);
    const params = { ...DEFAULT_REPORT_PARAMS, minN: 2, run: run1.runId };
    const before = await computeReport(t.db, cc, params);
    // b0 gets a gold answer (same text): a new version, served as a gold check to Bayo.
    await importRows(c, [{ ...rows[0]!, gold_answer: 4 }]);
    const b0 = await item(c, "b0");
    expect(b0.version).toBe(2);
    await t.db.update(campaigns).set({ goldRate: 1 }).where(eq(campaigns.id, c.id));
    const g = await assignNextItem(t.db, await load(c.id), bayo);
    expect(g).toMatchObject({ itemId: b0.id, isGold: true });
    await submitJudgment(t.db, await load(c.id), bayo, { assignmentId: g!.assignmentId, value: 4 });
    const after = await computeReport(t.db, await load(c.id), params);
    expect(figures(after)).toBe(figures(before).replace(/"setAside":\[\]/, `"setAside":${JSON.stringify(after.accounting.setAside)}`));
    expect(after.accounting.setAside).toEqual([expect.objectContaining({ reason: "outside_design", judgments: 1 })]);
  });

  it("the judge's bias is a mean over the items the judge scored, whatever else the stratum holds", async () => {
    const c = await fresh("Partly judged", { k: 1, routingPolicy: { confidenceThreshold: 0, tailThreshold: 0.99, controlRate: 1 } });
    // Six items, all routed (π = 1) and rated 3; four have judge scores 4, 4, 5, 3 (bias +1), two have none.
    await importRows(c, [4, 4, 5, 3, null, null].map((j, i) => ({ id: `p${i}`, output: `o${i}`, language: "en", judge_confidence: 0.9, ...(j === null ? {} : { judge_score: j }) })));
    await runRouting(t.db, c.id, { actorId: researcherId });
    const cc = await load(c.id);
    for (let n = 0; n < 6; n++) await rate(cc, ada, 3);
    const r = await computeReport(t.db, cc, { ...DEFAULT_REPORT_PARAMS, minN: 2 });
    expect(r.overall.counts).toMatchObject({ items: 6, judged: 4, labelled: 6 });
    expect(r.overall.bias!.estimate).toBeCloseTo(1, 12);
    expect(r.overall.biasNaive!.estimate).toBeCloseTo(1, 12);
  });
});

