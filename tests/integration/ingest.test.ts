import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { campaigns, externalRaters, imports, inclusionRecords, items, itemVersions, judgments, routingRuns, users, type Campaign } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { createCampaign } from "@/lib/campaigns/manage";
import { importItems } from "@/lib/ingest/import-items";
import { lockCampaignImports, writeItems } from "@/db/queries/ingest";
import { rowsOf } from "@/db/client";
import { routingRows } from "@/db/queries/routing";
import { runRouting } from "@/lib/routing/run-routing";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, type TestDb } from "./backends";

const bytes = (text: string, chunk = 97) => (async function* () {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
})();
const line = (o: Record<string, unknown>) => JSON.stringify(o);

describe.each(backends())("import and routing on $name", (backend) => {
  let t: TestDb;
  let researcherId: string;
  const fresh = async (name: string, over: Record<string, unknown> = {}): Promise<Campaign> =>
    createCampaign(t.db, campaignCreateSchema.parse({ name, rubric: { type: "likert", min: 1, max: 5 }, stratificationKey: "language", ...over }), { actorId: researcherId });
  const count = async (campaignId: string) =>
    (await t.db.select({ n: sql<number>`count(*)::int` }).from(items).where(eq(items.campaignId, campaignId)))[0]!.n;

  beforeAll(async () => {
    t = await backend.open();
    await seedDemo(t.db, { items: 50 });
    researcherId = (await t.db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo")))[0]!.id;
  });
  afterAll(async () => t?.drop());

  it("imports the example JSONL and CSV files; re-import updates and never duplicates", async () => {
    const c = await fresh("Example JSONL");
    const jsonl = fs.readFileSync("public/examples/items.jsonl", "utf-8");
    const first = await importItems(t.db, c, bytes(jsonl), { format: "jsonl", actorId: researcherId });
    expect(first).toMatchObject({ status: "succeeded", rowsTotal: 48, rowsNew: 48, rowsUpdated: 0, rowsRejected: 0 });
    const again = await importItems(t.db, c, bytes(jsonl), { format: "jsonl", actorId: researcherId });
    // Identical rows write nothing (no new version, no update).
    expect(again).toMatchObject({ rowsNew: 0, rowsUpdated: 0, rowsUnchanged: 48, itemsVersioned: 0, rowsRejected: 0 });
    expect(await count(c.id)).toBe(48);
    const [item] = await t.db.select().from(items).where(and(eq(items.campaignId, c.id), eq(items.externalId, "ex-044")));
    expect(item!.group).toBe("ka");
    expect(item!.metadata).toMatchObject({ language: "ka", topic: "account" });

    const csvC = await fresh("Example CSV");
    const csv = await importItems(t.db, csvC, bytes(fs.readFileSync("public/examples/items.csv", "utf-8")), { format: "csv", actorId: researcherId });
    expect(csv).toMatchObject({ status: "succeeded", rowsNew: 48, rowsRejected: 0 });
    const [a, b] = await Promise.all(
      [c.id, csvC.id].map((id) => t.db.select({ e: items.externalId, s: items.judgeScore, conf: items.judgeConfidence, n: items.judgmentCount }).from(items).where(eq(items.campaignId, id)).orderBy(items.externalId)),
    );
    expect(b).toEqual(a);
  });

  it("turns prior human ratings into imported judgments by external raters, and keeps judgment_count right", async () => {
    const c = await fresh("Prior ratings", { k: 2 });
    const file = [
      line({ id: "a", output: "x", human_ratings: [{ rater: "r1", value: 4 }, { rater: "r2", value: 5 }] }),
      line({ id: "b", output: "y", human_ratings: [{ rater: "r1", value: 2 }] }),
    ].join("\n");
    await importItems(t.db, c, bytes(file), { format: "jsonl", actorId: researcherId });
    await importItems(t.db, c, bytes(file.replace('"value":2', '"value":3')), { format: "jsonl", actorId: researcherId });
    const raters = await t.db.select().from(externalRaters).where(eq(externalRaters.campaignId, c.id));
    expect(raters.map((r) => r.pseudonym).sort()).toEqual(["r1", "r2"]);
    const js = await t.db.select().from(judgments).where(eq(judgments.campaignId, c.id));
    expect(js).toHaveLength(3);
    expect(js.every((j) => j.source === "import" && j.annotatorId === null)).toBe(true);
    expect(js.map((j) => j.value).sort()).toEqual([3, 4, 5]);
    const counts = await t.db.select({ e: items.externalId, n: items.judgmentCount, full: items.kReached }).from(items).where(eq(items.campaignId, c.id)).orderBy(items.externalId);
    // k_reached follows judgment_count against the campaign's k (the assignment index skips full items).
    expect(c.k).toBe(2);
    expect(counts).toEqual([{ e: "a", n: 2, full: true }, { e: "b", n: 1, full: false }]);
  });

  it("stores awkward text exactly, and an id repeated in a later batch is resolved once: the last row, version 1, the earlier one reported", async () => {
    const c = await fresh("Awkward text");
    const awkward = {
      id: "tab\tid",
      input: "back\\slash \\N and \\t literally, a\ttab, a\nnewline, a\r\ncrlf",
      output: "ünïcödé — 日本語 🙂 'quotes' \"double\"",
      model: "m\\1",
      judge_score: 4,
      judge_confidence: 1e-7,
      judge_rationale: "",
      embedding: [0.5, -1.25, 3e-8],
      tail_score: 0.25,
      language: "fo",
      nested: { a: [1, "x\ty", null], "k\\ey": true },
    };
    const file = [line({ id: "first", output: "v1", language: "en" }), line(awkward), line({ id: "other", output: "o" }), line({ id: "first", output: "v2", language: "sw" })].join("\n");
    const r = await importItems(t.db, c, bytes(file), { format: "jsonl", actorId: researcherId, batchSize: 2 });
    expect(r).toMatchObject({ rowsTotal: 4, rowsNew: 3, rowsUpdated: 0, rowsUnchanged: 0, rowsRejected: 0, rowsReplaced: 1, itemsVersioned: 0 });
    expect(r.warnings).toEqual([{ line: 1, externalId: "first", reason: "Replaced by line 4, which has the same external_id (the last row wins)" }]);
    const rows = await t.db.select().from(items).where(eq(items.campaignId, c.id)).orderBy(items.externalId);
    expect(rows.map((x) => x.externalId)).toEqual(["first", "other", "tab\tid"]);
    expect(rows[0]).toMatchObject({ output: "v2", group: "sw" });
    const a = rows[2]!;
    expect(a).toMatchObject({ input: awkward.input, output: awkward.output, model: awkward.model, judgeScore: 4, judgeConfidence: 1e-7, judgeRationale: "", providedTailScore: 0.25, tailScore: null, group: "fo" });
    // The repeated id is written once, as its last row: version 1, no earlier version archived.
    expect(rows[0]!.version).toBe(1);
    expect(await t.db.select().from(itemVersions).where(eq(itemVersions.campaignId, c.id))).toEqual([]);
    expect(a.embedding).toEqual([0.5, -1.25, 3e-8]);
    expect(a.metadata).toEqual({ language: "fo", nested: awkward.nested });
  });

  it("refuses a row with a NUL character as a row error, not a failed import", async () => {
    const c = await fresh("NUL");
    const r = await importItems(t.db, c, bytes([line({ id: "ok", output: "fine" }), line({ id: "bad", output: "a\u0000b" }), line({ id: "bad2", output: "x", note: { deep: "\u0000" } })].join("\n")), { format: "jsonl", actorId: researcherId });
    expect(r).toMatchObject({ rowsNew: 1, rowsRejected: 2 });
    expect(r.errors.map((e) => e.line)).toEqual([2, 3]);
    expect(r.errors[0]!.reason).toMatch(/NUL/);
  });

  it("refuses, as row errors, values PostgreSQL could not store: unpaired surrogates, floats out of real's range", async () => {
    const c = await fresh("Unstorable");
    const file = [
      line({ id: "ok", output: "fine", embedding: [0, 1e-40, -3e38] }),
      '{"id": "lone", "output": "x\\ud800y"}',
      line({ id: "deep", output: "x", note: { ["k\udc00"]: 1 } }),
      line({ id: "big", output: "x", embedding: [1, 1e39] }),
      line({ id: "tiny", output: "x", embedding: [1e-50] }),
      line({ id: "rating", output: "x", human_ratings: [{ rater: "r\ud83d", value: 1 }] }),
    ].join("\n");
    const r = await importItems(t.db, c, bytes(file), { format: "jsonl", actorId: researcherId });
    expect(r).toMatchObject({ rowsNew: 1, rowsRejected: 5 });
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6]);
    expect(r.errors[0]!.reason).toMatch(/surrogate/);
    expect(r.errors[2]!.reason).toMatch(/32-bit float/);
    // CSV cells holding JSON (metadata, human_ratings) are checked after parsing.
    const csv = ["id,output,metadata,human_ratings", 'ok2,x,"{""a"":1}",', 'm,x,"{""k"":""\\u0000""}",', 'h,x,,"[{""rater"":""r\\ud800"",""value"":1}]"'].join("\n");
    const r2 = await importItems(t.db, c, bytes(csv), { format: "csv", actorId: researcherId });
    expect(r2).toMatchObject({ rowsNew: 1, rowsRejected: 2 });
    expect(r2.errors.map((e) => [e.line, /NUL|surrogate/.test(e.reason)])).toEqual([[3, true], [4, true]]);
  });

  it("refuses over-long text as row errors naming the field and the limit, in JSONL and CSV, and stores the rest", async () => {
    const c = await fresh("Text limits");
    const x = (n: number) => "x".repeat(n);
    const file = [
      line({ id: "ok", output: "fine", model: x(200), judge_rationale: x(20_000), note: x(10_000), human_ratings: [{ rater: "r", value: 3, rationale: x(5_000) }] }),
      line({ id: "model", output: "x", model: x(201) }),
      line({ id: "why", output: "x", judge_rationale: x(20_001) }),
      line({ id: "meta", output: "x", metadata: { deep: [x(10_001)] } }),
      line({ id: "rating", output: "x", human_ratings: [{ rater: "r", value: 3, rationale: x(5_001) }] }),
    ].join("\n");
    const r = await importItems(t.db, c, bytes(file, 8192), { format: "jsonl", actorId: researcherId });
    expect(r).toMatchObject({ status: "partial", rowsNew: 1, rowsRejected: 4 });
    expect(r.errors).toEqual([
      { line: 2, externalId: "model", reason: "model is longer than 200 characters" },
      { line: 3, externalId: "why", reason: "judge_rationale is longer than 20,000 characters" },
      { line: 4, externalId: "meta", reason: "metadata.deep[0] is longer than 10,000 characters" },
      { line: 5, externalId: "rating", reason: "human_ratings[0].rationale is longer than 5,000 characters" },
    ]);
    const csv = ["id,output,notes,metadata", "c-ok,x,short,", `c-notes,x,${x(10_001)},`, `c-meta,x,,"${JSON.stringify({ k: x(10_001) }).replace(/"/g, '""')}"`].join("\n");
    const rc = await importItems(t.db, c, bytes(csv, 8192), { format: "csv", actorId: researcherId, allOrNothing: true });
    expect(rc).toMatchObject({ status: "failed", rowsNew: 0, rowsRejected: 2 });
    expect(rc.errors.map((e) => [e.line, e.reason])).toEqual([[3, "metadata.notes is longer than 10,000 characters"], [4, "metadata.k is longer than 10,000 characters"]]);
    expect(await count(c.id)).toBe(1);
  });

  it("reads embeddings back bit-exact for embedding rarity, and scores only the rows that have one", async () => {
    const c = await fresh("Vectors", { tailMethod: "embedding" });
    const vectors = [[0.1, -2.5, 1e-40, 3e38], [0, 0, 0, 1], [7, 8, 9, 10]];
    const file = [...vectors.map((e, i) => line({ id: `v${i}`, output: "x", embedding: e })), line({ id: "none", output: "x" })].join("\n");
    await importItems(t.db, c, bytes(file), { format: "jsonl", actorId: researcherId });
    const got = new Map<string, number[] | null>();
    for await (const page of routingRows(t.db, c.id, { text: false, embedding: true })) for (const r of page) got.set(r.externalId, r.embedding && [...r.embedding]);
    vectors.forEach((e, i) => expect(got.get(`v${i}`)).toEqual(e.map(Math.fround)));
    expect(got.get("none")).toBeNull();
    await runRouting(t.db, c.id, { actorId: researcherId });
    const scored = await t.db.select({ e: items.externalId, tail: items.tailScore }).from(items).where(eq(items.campaignId, c.id)).orderBy(items.externalId);
    expect(scored.filter((r) => r.tail !== null).map((r) => r.e)).toEqual(["v0", "v1", "v2"]);
  });

  it("rejects bad rows with their exact line numbers and stores the good ones", async () => {
    const c = await fresh("Mixed rows");
    const file = [
      line({ id: "ok-1", output: "fine", judge_score: 3, judge_confidence: 0.9 }), // 1
      line({ id: "bad-score", output: "x", judge_score: 9 }), // 2
      "", // 3 (blank: skipped, not an error)
      line({ id: "bad-conf", output: "x", judge_confidence: 1.5 }), // 4
      "{not json", // 5
      line({ id: "no-output", input: "q" }), // 6
      line({ id: "ok-2", output: "also fine", human_ratings: [{ rater: "p", value: 7 }] }), // 7: rating off scale
      line({ id: "ok-3", output: "fine too" }), // 8
    ].join("\n");
    const r = await importItems(t.db, c, bytes(file), { format: "jsonl", actorId: researcherId });
    expect(r).toMatchObject({ rowsTotal: 7, rowsNew: 2, rowsRejected: 5 });
    expect(r.errors.map((e) => e.line)).toEqual([2, 4, 5, 6, 7]);
    expect(r.errors[0]!.reason).toMatch(/judge_score 9 is not on the rubric's scale/);
    expect(r.errors[1]!.reason).toMatch(/judge_confidence/);
    expect(r.errors[2]!.reason).toBe("Malformed JSON");
    expect(r.errors[3]).toMatchObject({ externalId: "no-output", reason: "Missing output" });
    const stored = await t.db.select({ e: items.externalId }).from(items).where(eq(items.campaignId, c.id)).orderBy(items.externalId);
    expect(stored.map((s) => s.e)).toEqual(["ok-1", "ok-3"]);
    const [rec] = await t.db.select().from(imports).where(eq(imports.id, r.importId));
    expect(rec!.errors).toHaveLength(5);

    const csv = ["id,output,judge_score", "c1,good,4", "c2,,4", 'c3,good,4,extra', "c4,good,5"].join("\n");
    const rc = await importItems(t.db, await fresh("Mixed CSV"), bytes(csv), { format: "csv", actorId: researcherId });
    expect(rc.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(rc.errors[1]!.reason).toMatch(/Unreadable CSV row/);
    expect(rc.rowsNew).toBe(2);
  });

  it("all-or-nothing writes nothing when a row is bad, and records the failed import", async () => {
    const c = await fresh("Atomic");
    const file = [line({ id: "1", output: "a" }), line({ id: "2", output: "b", judge_score: 0 })].join("\n");
    const r = await importItems(t.db, c, bytes(file), { format: "jsonl", actorId: researcherId, allOrNothing: true, batchSize: 1 });
    expect(r).toMatchObject({ status: "failed", rowsNew: 0, rowsRejected: 1 });
    expect(await count(c.id)).toBe(0);
    const [rec] = await t.db.select().from(imports).where(eq(imports.id, r.importId));
    expect(rec!.status).toBe("failed");
  });

  it("refuses oversized and binary files with nothing written, even after earlier batches", async () => {
    const c = await fresh("Limits");
    const big = Array.from({ length: 300 }, (_, i) => line({ id: `r${i}`, output: "y".repeat(100) })).join("\n");
    await expect(importItems(t.db, c, bytes(big, 1000), { format: "jsonl", actorId: researcherId, maxBytes: 20_000, batchSize: 10 })).rejects.toMatchObject({ code: "too_large" });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    await expect(importItems(t.db, c, (async function* () { yield png; })(), { format: "csv", actorId: researcherId })).rejects.toMatchObject({ code: "unsupported_type" });
    expect(await count(c.id)).toBe(0);
    expect(await t.db.select().from(imports).where(eq(imports.campaignId, c.id))).toHaveLength(0);
  });

  it("resolves an id repeated within a file once: the last row wins, the others are reported, the cost stays linear", async () => {
    const c = await fresh("Repeated ids");
    const n = 3000;
    const file = Array.from({ length: n }, (_, i) => line({ id: i % 1000 === 999 ? `other-${i}` : "same", output: `v${i}`, human_ratings: [{ rater: "r", value: 1 + (i % 5) }] })).join("\n");
    const started = Date.now();
    const r = await importItems(t.db, c, bytes(file, 4096), { format: "jsonl", actorId: researcherId });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r).toMatchObject({ status: "succeeded", rowsTotal: n, rowsNew: 4, rowsRejected: 0, rowsReplaced: n - 4 });
    expect(r.warnings[0]).toMatchObject({ line: 1, externalId: "same", reason: expect.stringContaining("Replaced by line 2") });
    const [same] = await t.db.select().from(items).where(and(eq(items.campaignId, c.id), eq(items.externalId, "same")));
    expect(same).toMatchObject({ output: `v${n - 2}`, version: 1 }); // line n is other-2999
    // Only the last row's rating of "same" was imported.
    const rs = await t.db.select({ v: judgments.value }).from(judgments).where(eq(judgments.itemId, same!.id));
    expect(rs).toEqual([{ v: 1 + ((n - 2) % 5) }]);
  });

  it("resolves ids repeated across batches once, in both modes: the last row's content and ratings, version 1, one warning per replaced row", async () => {
    const file = [
      line({ id: "a", output: "a1", human_ratings: [{ rater: "r1", value: 1 }] }), // batch 1
      line({ id: "b", output: "b1" }),
      line({ id: "a", output: "a2", human_ratings: [{ rater: "r2", value: 2 }] }), // batch 2
      line({ id: "c", output: "c1" }),
      line({ id: "a", output: "a3", human_ratings: [{ rater: "r3", value: 3 }] }), // batch 3
      line({ id: "b", output: "b2" }),
    ].join("\n");
    const warnings = [
      { line: 1, externalId: "a", reason: "Replaced by line 3, which has the same external_id (the last row wins)" },
      { line: 2, externalId: "b", reason: "Replaced by line 6, which has the same external_id (the last row wins)" },
      { line: 3, externalId: "a", reason: "Replaced by line 5, which has the same external_id (the last row wins)" },
    ];
    for (const allOrNothing of [false, true]) {
      const c = await fresh(`Repeated across batches ${allOrNothing ? "atomic" : "partial"}`);
      const r = await importItems(t.db, c, bytes(file), { format: "jsonl", actorId: researcherId, batchSize: 2, allOrNothing });
      expect(r).toMatchObject({ status: "succeeded", rowsTotal: 6, rowsNew: 3, rowsUpdated: 0, rowsReplaced: 3, itemsVersioned: 0, ratingsWritten: 1 });
      expect(r.warnings).toEqual(warnings);
      const stored = await t.db.select({ e: items.externalId, output: items.output, version: items.version, n: items.judgmentCount }).from(items).where(eq(items.campaignId, c.id)).orderBy(items.externalId);
      expect(stored).toEqual([{ e: "a", output: "a3", version: 1, n: 1 }, { e: "b", output: "b2", version: 1, n: 0 }, { e: "c", output: "c1", version: 1, n: 0 }]);
      expect(await t.db.select().from(itemVersions).where(eq(itemVersions.campaignId, c.id))).toEqual([]);
      const js = await t.db.select({ v: judgments.value }).from(judgments).where(eq(judgments.campaignId, c.id));
      expect(js).toEqual([{ v: 3 }]);

      // Into items that exist: one new version per changed item, whatever the repeats.
      const again = [line({ id: "a", output: "a4" }), line({ id: "x", output: "x" }), line({ id: "a", output: "a5" })].join("\n");
      const r2 = await importItems(t.db, c, bytes(again), { format: "jsonl", actorId: researcherId, batchSize: 2, allOrNothing });
      expect(r2).toMatchObject({ status: "succeeded", rowsNew: 1, rowsUpdated: 1, rowsReplaced: 1, itemsVersioned: 1 });
      const [a] = await t.db.select().from(items).where(and(eq(items.campaignId, c.id), eq(items.externalId, "a")));
      expect(a).toMatchObject({ output: "a5", version: 2 });
      expect((await t.db.select({ v: itemVersions.version, output: itemVersions.output }).from(itemVersions).where(eq(itemVersions.itemId, a!.id)))).toEqual([{ v: 1, output: "a3" }]);
    }
    // All-or-nothing with a bad row: nothing written, every replaced row still reported.
    const c = await fresh("Repeated across batches, refused");
    const r = await importItems(t.db, c, bytes(`${file}\n${line({ id: "bad" })}`), { format: "jsonl", actorId: researcherId, batchSize: 2, allOrNothing: true });
    expect(r).toMatchObject({ status: "failed", rowsNew: 0, rowsRejected: 1, rowsReplaced: 3 });
    expect(r.warnings).toEqual(warnings);
    expect(await count(c.id)).toBe(0);
  });

  it("routes after import: π = 1 for rare and unsure items, p for the rest; re-routing keeps judgments", async () => {
    const c = await fresh("Routing");
    await importItems(t.db, c, bytes(fs.readFileSync("public/examples/items.jsonl", "utf-8")), { format: "jsonl", actorId: researcherId });
    const run = await runRouting(t.db, c.id, { actorId: researcherId });
    const rows = await t.db.select().from(items).where(eq(items.campaignId, c.id));
    // Items that arrived with human ratings are in the sample as prior labels (a census: π = 1).
    const prior = new Set((await t.db.selectDistinct({ id: judgments.itemId }).from(judgments).where(and(eq(judgments.campaignId, c.id), eq(judgments.source, "import")))).map((r) => r.id));
    expect(prior.size).toBeGreaterThan(0);
    for (const it of rows) {
      const target = (it.tailScore ?? 0) >= 0.8 || (it.judgeConfidence ?? 0) < 0.6;
      expect(it.inclusionProb).toBe(target || prior.has(it.id) ? 1 : 0.1);
      if (prior.has(it.id)) expect(it.routeReason).toBe("prior_labels");
      if (target) expect(it.routed).toBe(true);
    }
    expect(rows.find((r) => r.externalId === "ex-046")!.routeReason).toBe("tail"); // Amharic: one of the rarest groups
    // Quechua, the rarest, is routed too, but its prior labels put it in the sample for sure (its own reason).
    expect(rows.find((r) => r.externalId === "ex-048")).toMatchObject({ routed: true, routeReason: "prior_labels", inclusionProb: 1 });
    const [run1] = await t.db.select().from(routingRuns).where(eq(routingRuns.id, run.runId));
    expect(run1!.seed).toBe(run.seed);
    const before = (await t.db.select({ n: sql<number>`count(*)::int` }).from(judgments).where(eq(judgments.campaignId, c.id)))[0]!.n;
    await t.db.update(campaigns).set({ routingPolicy: { confidenceThreshold: 0, tailThreshold: 1, controlRate: 0.5 } }).where(eq(campaigns.id, c.id));
    const run2 = await runRouting(t.db, c.id, { actorId: researcherId });
    expect(run2.seed).toBe(run.seed);
    const after = await t.db.select().from(items).where(eq(items.campaignId, c.id));
    expect(after.filter((r) => (r.tailScore ?? 0) < 1 && !prior.has(r.id)).every((r) => r.inclusionProb === 0.5)).toBe(true);
    // Each run keeps its own inclusion records: run 1's are as they were.
    const recs = await t.db.select().from(inclusionRecords).where(eq(inclusionRecords.runId, run.runId));
    expect(recs).toHaveLength(rows.length);
    for (const it of rows) expect(recs.find((x) => x.itemId === it.id)).toMatchObject({ pi: it.inclusionProb, routed: it.routed, tail: it.tailScore });
    expect((await t.db.select({ n: sql<number>`count(*)::int` }).from(judgments).where(eq(judgments.campaignId, c.id)))[0]!.n).toBe(before);
    expect(before).toBeGreaterThan(0);
  });
});

// The COPY path exists on PostgreSQL only (PGlite upserts every batch).
describe.each(backends().filter((b) => b.name === "postgres"))("import's COPY path on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("answers 409 at once when another import of the campaign is writing, instead of queueing behind it", async () => {
    const [u] = await t.db.insert(users).values({ email: "busy@x.test", name: "Busy", role: "researcher" }).returning();
    const c = await createCampaign(t.db, campaignCreateSchema.parse({ name: "Busy imports", rubric: { type: "likert", min: 1, max: 5 } }), { actorId: u!.id });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const holding = new Promise<void>((r) => (locked = r));
    // Another writer (an import's write phase, or a routing run) holds the campaign's import lock.
    const writer = t.db.transaction(async (tx) => {
      await lockCampaignImports(tx, c.id);
      locked();
      await gate;
    });
    await holding;
    await expect(importItems(t.db, c, bytes(line({ id: "c", output: "z" })), { format: "jsonl", actorId: u!.id })).rejects.toMatchObject({ code: "conflict" });
    release();
    await writer;
    expect(await importItems(t.db, c, bytes(line({ id: "c", output: "z" })), { format: "jsonl", actorId: u!.id })).toMatchObject({ status: "succeeded", rowsNew: 1 });
  });

  it("holds no lock while an upload is still arriving: another import of the campaign proceeds meanwhile", async () => {
    const [u] = await t.db.insert(users).values({ email: "slow@x.test", name: "Slow", role: "researcher" }).returning();
    const c = await createCampaign(t.db, campaignCreateSchema.parse({ name: "Slow upload", rubric: { type: "likert", min: 1, max: 5 } }), { actorId: u!.id });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let sentFirst!: () => void;
    const firstSent = new Promise<void>((r) => (sentFirst = r));
    const slow = importItems(t.db, c, (async function* () {
      yield Buffer.from(`${JSON.stringify({ id: "a", output: "x" })}\n`);
      sentFirst();
      await gate;
      yield Buffer.from(`${JSON.stringify({ id: "b", output: "y" })}\n`);
    })(), { format: "jsonl", actorId: u!.id, batchSize: 1 });
    await firstSent;
    // The slow upload's first batch is received; nothing of it is written and no lock or transaction is held.
    const [open] = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`));
    expect(open!.n).toBe(0);
    expect(await importItems(t.db, c, bytes(line({ id: "c", output: "z" })), { format: "jsonl", actorId: u!.id })).toMatchObject({ status: "succeeded", rowsNew: 1 });
    release();
    expect(await slow).toMatchObject({ status: "succeeded", rowsNew: 2 });
    expect(await t.db.select({ e: items.externalId }).from(items).where(eq(items.campaignId, c.id)).orderBy(items.externalId)).toEqual([{ e: "a" }, { e: "b" }, { e: "c" }]);
  });

  it("fails a COPY the server refuses after the last byte, instead of hanging, and leaves nothing", async () => {
    // Validation refuses every value known to fail a COPY; writeItems is called directly to get one through.
    const [u] = await t.db.insert(users).values({ email: "copy@x.test", name: "Copy", role: "researcher" }).returning();
    const c = await createCampaign(t.db, campaignCreateSchema.parse({ name: "Refused COPY", rubric: { type: "likert", min: 1, max: 5 } }), { actorId: u!.id });
    const bad = { external_id: "huge", input: "", output: "x", metadata: {}, embedding: [1e39] };
    // The refusal arrives after the last byte; the batch settles on it (not on the 30 s last-resort bound).
    const e = await t.db.transaction((tx) => writeItems(tx, c.id, [bad], null, 30)).then(() => null, (err: unknown) => err);
    expect(String(e)).toMatch(/refused a row of this batch's COPY|out of range/);
    const [n] = await t.db.select({ n: sql<number>`count(*)::int` }).from(items).where(eq(items.campaignId, c.id));
    expect(n!.n).toBe(0);
  });
});
