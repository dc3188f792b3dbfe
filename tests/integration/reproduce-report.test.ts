// scripts/reproduce-report.py recomputes a report from an export bundle with nothing but Python's standard library:
// every figure must equal the app's own report.json (in the same bundle) to 1e-9, bootstrap intervals included.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { getDb, rowsOf } from "@/db";
import { campaignMembers, campaigns, items, judgments, users, type Campaign } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { assignNextItem } from "@/lib/assign/assign-next";
import { submitJudgment } from "@/lib/assign/submit";
import { createCampaign } from "@/lib/campaigns/manage";
import { streamBundleExport } from "@/lib/export/service";
import type { ExportFormat } from "@/lib/export/types";
import { importItems } from "@/lib/ingest/import-items";
import { DEFAULT_REPORT_PARAMS } from "@/lib/report/params";
import type { ReportParams } from "@/lib/report/types";
import { runRouting } from "@/lib/routing/run-routing";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, useAppDatabase } from "./backends";

const SCRIPT = path.resolve(import.meta.dirname, "../../scripts/reproduce-report.py");

type Run = { status: number | null; out: string };

/** python3 with arguments; a missing interpreter fails the test with what to do (never a skip). */
function python(args: string[]): Run {
  const r = spawnSync("python3", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? "python3 is not installed: install python3 (e.g. apt-get install python3); scripts/reproduce-report.py needs it and this test never skips."
        : `python3 could not be run: ${r.error.message}`,
    );
  }
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const reproduce = (zip: string, ...flags: string[]) => python([SCRIPT, ...flags, zip]);

// Changes one judgment's value in a bundle and writes it as a new zip; with fixSums the checksums (SHA256SUMS and
// the manifest's) are recomputed, as a careful forger would, so only the recomputation can notice.
const TAMPER = String.raw`
import csv, hashlib, io, json, sys, zipfile
src, dst, judgment_id, new_value, fix_sums = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
zin = zipfile.ZipFile(src)
files = {n: zin.read(n) for n in zin.namelist()}
manifest = json.loads(files["manifest.json"])
entry = next(f for f in manifest["files"] if f["kind"] == "judgments")
text = files[entry["name"]].decode("utf-8")
changed = 0
if entry["format"] == "jsonl":
    lines = []
    for line in text.splitlines():
        row = json.loads(line)
        if str(row["judgment_id"]) == judgment_id:
            row["value"] = json.loads(new_value)
            changed += 1
        lines.append(json.dumps(row, ensure_ascii=False))
    out = "\n".join(lines) + "\n"
else:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    col = rows[0].index("value")
    for r in rows[1:]:
        if r[0] == judgment_id:
            r[col] = new_value if not new_value.startswith("-") else "'" + new_value
            changed += 1
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    out = buf.getvalue()
assert changed == 1, f"judgment {judgment_id} not found"
files[entry["name"]] = out.encode("utf-8")
if fix_sums:
    digest = hashlib.sha256(files[entry["name"]]).hexdigest()
    entry["sha256"] = digest
    entry["bytes"] = len(files[entry["name"]])
    sums = "".join(f"{f['sha256']}  {f['name']}\n" for f in sorted(manifest["files"], key=lambda f: f["name"]))
    files["SHA256SUMS"] = sums.encode("utf-8")
    files["manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode("utf-8")
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for n, b in files.items():
        z.writestr(n, b)
`;

const bytes = (text: string) => (async function* () {
  yield Buffer.from(text);
})();
const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join("\n");

describe.each(backends())("reproduce-report.py on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let dir = "";
  let researcherId = "";
  let auditorId = "";
  let demoId = "";
  let audit: Campaign;
  let firstRunId = "";

  const load = async (id: string) => (await (await getDb()).select().from(campaigns).where(eq(campaigns.id, id)))[0]!;

  /** The bundle as the API serves it (GET …/exports/bundle), written to the temp folder. */
  async function bundle(campaign: Campaign, format: ExportFormat, name: string, report?: ReportParams): Promise<string> {
    const dl = await streamBundleExport({ campaign, requesterId: auditorId, format, report });
    const parts: Buffer[] = [];
    for await (const chunk of dl.body) parts.push(Buffer.from(chunk));
    const file = path.join(dir, `${name}.zip`);
    fs.writeFileSync(file, Buffer.concat(parts));
    return file;
  }

  const expectAgrees = (zip: string) => {
    const r = reproduce(zip, "--check");
    expect(r.out, r.out).toMatch(/^OK: all \d+ values checked/m);
    expect(r.status, r.out).toBe(0);
    return r.out;
  };

  beforeAll(async () => {
    // Fails here, not later, when python3 is missing.
    expect(python(["--version"]).out).toMatch(/Python 3\./);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-reproduce-"));
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId: demoId } = await seedDemo(db));
    const id = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    researcherId = await id("researcher@margin.demo");
    auditorId = await id("auditor@margin.demo");
    const ada = await id("ada@margin.demo");
    const bayo = await id("bayo@margin.demo");
    const chen = await id("chen@margin.demo");

    // A campaign with everything that decides what counts: a scale with negative points (CSV writes them as '-1),
    // prior labels (a census and label_pi 0.5), gold items rated by people, a fractional judge score, a group and
    // external ids that CSV neutralises, an excluded rater, a re-import that changes rated items, two routing runs.
    const created = await createCampaign(
      db,
      campaignCreateSchema.parse({
        name: "Reproducible audit",
        rubric: { type: "likert", min: -2, max: 2 },
        k: 2,
        stratificationKey: "language",
        tailMethod: "provided",
        routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.9, controlRate: 0.7 },
      }),
      { actorId: researcherId },
    );
    await db.update(campaigns).set({ status: "active" }).where(eq(campaigns.id, created.id));
    const languages = ["en", "en", "fr", "sw", "=calc", "en", "fr"];
    const row = (i: number, revised = false): Record<string, unknown> => ({
      id: i % 17 === 3 ? `-item-${i}` : i % 17 === 5 ? `=item-${i}` : `item-${i}`,
      input: `question ${i}`,
      output: `answer ${i}${revised ? " (revised)" : ""}`,
      // Fractional scores (an averaged judge) on some items: 0.5 rounds up to 1, -1.5 up to -1.
      judge_score: i === 7 ? 0.5 : i === 11 ? -1.5 : i === 13 ? 1.25 : ((i * 7) % 5) - 2,
      judge_confidence: i % 4 === 0 ? 0.3 : 0.9,
      tail_score: ((i * 37) % 100) / 100,
      language: languages[i % languages.length],
      ...(i < 3 ? { gold: true, gold_answer: 1 } : {}),
      ...(i >= 90
        ? {
            human_ratings: [
              { rater: "ext-r1", value: ((i * 3) % 5) - 2 },
              { rater: "ext-r2", value: ((i * 3 + 1) % 5) - 2 },
              ...(i % 2 ? [{ rater: "ext-r3", value: ((i * 3) % 5) - 2 }] : []),
            ],
            ...(i >= 105 ? { label_pi: 0.5 } : {}),
          }
        : {}),
    });
    const rows = Array.from({ length: 120 }, (_, i) => row(i));
    const imported = await importItems(db, created, bytes(jsonl(rows)), { format: "jsonl", actorId: researcherId });
    expect(imported.rowsRejected).toBe(0);
    const run1 = await runRouting(db, created.id, { actorId: researcherId });
    firstRunId = run1.runId;

    // Chen rates too, then is excluded from reports (a member whose gold checks failed).
    await db.insert(campaignMembers).values({ campaignId: created.id, userId: chen, role: "annotator" });
    const rate = async (who: string, n: number) => {
      const c = await load(created.id);
      for (let done = 0; done < n; done++) {
        const leased = await assignNextItem(db, c, who);
        if (!leased) return;
        const value = ((leased.itemId * 13 + who.charCodeAt(0)) % 5) - 2;
        await submitJudgment(db, c, who, { assignmentId: leased.assignmentId, value });
      }
    };
    await rate(ada, 45);
    await rate(bayo, 45);
    await rate(chen, 25);
    // Gold items, served to each rater once.
    await db.update(campaigns).set({ goldRate: 1 }).where(eq(campaigns.id, created.id));
    for (const who of [ada, bayo, chen]) {
      const c = await load(created.id);
      const g = await assignNextItem(db, c, who, { random: () => 0 });
      expect(g?.isGold).toBe(true);
      await submitJudgment(db, c, who, { assignmentId: g!.assignmentId, value: 1 });
    }
    await db.update(campaigns).set({ goldRate: 0 }).where(eq(campaigns.id, created.id));

    // A re-import changes the content of some rated items: their judgments are superseded.
    const revised = rows.map((r, i) => (i % 9 === 4 ? row(i, true) : i === 22 ? { ...r, judge_score: 2 } : r));
    const second = await importItems(db, created, bytes(jsonl(revised)), { format: "jsonl", actorId: researcherId });
    expect(second.itemsVersioned).toBeGreaterThan(0);

    // A new policy and a second run; more ratings on the current versions.
    await db
      .update(campaigns)
      .set({ routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.8, controlRate: 0.5 }, routingPolicyVersion: 2 })
      .where(eq(campaigns.id, created.id));
    await runRouting(db, created.id, { actorId: researcherId });
    await rate(bayo, 20);
    await rate(chen, 10);
    await rate(ada, 20);
    await db.update(campaignMembers).set({ excludedFromReports: true }).where(and(eq(campaignMembers.campaignId, created.id), eq(campaignMembers.userId, chen)));
    audit = await load(created.id);

    // What the campaign holds: judgments of every status the report accounts for.
    const statuses = rowsOf<{ gold: number; superseded: number; excluded: number }>(
      await db.execute(sql`
        select count(*) filter (where i.gold_answer is not null)::int as gold,
               count(*) filter (where j.item_version < i.version)::int as superseded,
               count(*) filter (where j.annotator_id = ${chen})::int as excluded
        from ${judgments} j join ${items} i on i.id = j.item_id where j.campaign_id = ${audit.id}`),
    )[0]!;
    expect(statuses.gold).toBeGreaterThan(0);
    expect(statuses.superseded).toBeGreaterThan(0);
    expect(statuses.excluded).toBeGreaterThan(0);
  });

  afterAll(async () => {
    await drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reproduces the demo campaign's report from its CSV bundle", async () => {
    const zip = await bundle(await load(demoId), "csv", "demo-csv");
    const out = expectAgrees(zip);
    expect(out).toMatch(/over \d+ strata \(overall, \d+ buckets, \d+ groups\)/);
    // Without --check: the figures as JSON.
    const r = reproduce(zip);
    expect(r.status, r.out).toBe(0);
    const figures = JSON.parse(r.out) as { overall: { enough: boolean; judgeAgreement: unknown; counts: { labelled: number } } };
    expect(figures.overall.enough).toBe(true);
    expect(figures.overall.judgeAgreement).toEqual({ estimate: expect.any(Number), lower: expect.any(Number), upper: expect.any(Number) });
    expect(figures.overall.counts.labelled).toBeGreaterThan(0);
  });

  it("reproduces a campaign with superseded, gold, prior-labelled and excluded judgments from its JSONL bundle (latest run)", async () => {
    const report: ReportParams = { cuts: [0.3, 0.6, 0.85], minN: 5, reference: { kind: "bucket" } };
    const zip = await bundle(audit, "jsonl", "audit-jsonl", report);
    expectAgrees(zip);
    const r = JSON.parse(reproduce(zip).out) as { runId: string; accounting: { counted: { judgments: number } } };
    expect(r.runId).not.toBe(firstRunId);
    expect(r.accounting.counted.judgments).toBeGreaterThan(0);
  });

  it("reproduces the same campaign's report on its first routing run with a group as the reference (CSV)", async () => {
    const report: ReportParams = { cuts: [0.3, 0.6, 0.85], minN: 5, reference: { kind: "group", group: "fr" }, run: firstRunId };
    const zip = await bundle(audit, "csv", "audit-run1-csv", report);
    expectAgrees(zip);
    const r = JSON.parse(reproduce(zip).out) as { runId: string; reference: { kind: string; key: string } };
    expect(r.runId).toBe(firstRunId);
    expect(r.reference).toEqual({ kind: "group", key: "fr" });
  });

  it("reproduces the audit campaign with the default parameters in JSONL and CSV alike", async () => {
    expectAgrees(await bundle(audit, "csv", "audit-default-csv", { ...DEFAULT_REPORT_PARAMS, minN: 3 }));
    expectAgrees(await bundle(audit, "jsonl", "audit-default-jsonl", { ...DEFAULT_REPORT_PARAMS, minN: 3 }));
  });

  it("reproduces a report under adaptive k: human–human measures on the first k_min ratings, fully judged by each item's target", async () => {
    const db = await getDb();
    const fixed = JSON.parse(reproduce(await bundle(await load(demoId), "jsonl", "demo-fixed-k")).out) as { overall: { counts: { fullyJudged: number; pairable: number }; humanAgreement: { estimate: number } } };
    try {
      await db.update(campaigns).set({ kMin: 2, agreeDistance: 1 }).where(eq(campaigns.id, demoId));
      const zip = await bundle(await load(demoId), "jsonl", "demo-adaptive-k");
      expectAgrees(zip);
      const adaptive = JSON.parse(reproduce(zip).out) as typeof fixed;
      // Items whose first two ratings agree within 1 point are fully judged at 2; α and the pair share read two ratings per item.
      expect(adaptive.overall.counts.fullyJudged).toBeGreaterThanOrEqual(fixed.overall.counts.fullyJudged);
      expect(adaptive.overall.counts.pairable).toBe(fixed.overall.counts.pairable);
      expect(adaptive.overall.humanAgreement.estimate).not.toBe(fixed.overall.humanAgreement.estimate);
    } finally {
      await db.update(campaigns).set({ kMin: null, agreeDistance: 0 }).where(eq(campaigns.id, demoId));
    }
  });

  it("reproduces the mean and Dawid–Skene consensus", async () => {
    const db = await getDb();
    const report: ReportParams = { cuts: [0.5], minN: 5, reference: { kind: "bucket" } };
    try {
      for (const consensus of ["mean", "majority", "dawid_skene"] as const) {
        await db.update(campaigns).set({ consensus }).where(eq(campaigns.id, audit.id));
        const zip = await bundle(await load(audit.id), "jsonl", `audit-${consensus}`, report);
        expect(expectAgrees(zip)).toContain(consensus === "dawid_skene" ? "Dawid-Skene" : "OK");
        expect((JSON.parse(reproduce(zip).out) as { consensus: string }).consensus).toBe(consensus);
      }
    } finally {
      await db.update(campaigns).set({ consensus: null }).where(eq(campaigns.id, audit.id));
    }
  });

  it("reproduces nominal and binary rubrics (text values that CSV neutralises, no bias, unweighted κ)", async () => {
    const db = await getDb();
    const options = ["yes", "no", "=maybe", "-"];
    for (const rubric of [{ type: "categorical", options }, { type: "binary", labels: ["bad", "good"] }] as const) {
      const scale: (string | number)[] = rubric.type === "binary" ? [0, 1] : options;
      const c = await createCampaign(
        db,
        campaignCreateSchema.parse({ name: `Nominal ${rubric.type}`, rubric, k: 3, stratificationKey: "language", tailMethod: "provided", routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.9, controlRate: 0.6 } }),
        { actorId: researcherId },
      );
      const rows = Array.from({ length: 80 }, (_, i) => ({
        id: `n-${i}`,
        output: `answer ${i}`,
        judge_score: scale[(i * 3) % scale.length],
        judge_confidence: i % 5 === 0 ? 0.2 : 0.9,
        tail_score: ((i * 53) % 100) / 100,
        language: ["en", "fr", "sw"][i % 3],
        // Raters mostly agree with the judge (so κ is informative), each in their own way when not.
        human_ratings: [0, 1, 2].slice(0, 2 + (i % 2)).map((r) => ({ rater: `r${r}`, value: scale[((i * 3) % scale.length + ((i * (r + 5)) % 4 === 0 ? r + 1 : 0)) % scale.length] })),
        ...(i % 4 === 1 ? { label_pi: 0.5 } : {}),
      }));
      const imported = await importItems(db, c, bytes(jsonl(rows)), { format: "jsonl", actorId: researcherId });
      expect(imported.rowsRejected).toBe(0);
      await runRouting(db, c.id, { actorId: researcherId });
      for (const format of ["csv", "jsonl"] as const) {
        const zip = await bundle(await load(c.id), format, `nominal-${rubric.type}-${format}`, { ...DEFAULT_REPORT_PARAMS, cuts: [0.4, 0.8], minN: 5 });
        expectAgrees(zip);
        const r = JSON.parse(reproduce(zip).out) as { overall: { kappa: unknown; kappaLinear: unknown; bias: unknown; biasNaive: unknown } };
        expect(r.overall.kappa).not.toBeNull();
        expect(r.overall.kappaLinear).toBeNull();
        if (rubric.type === "binary") expect(r.overall.biasNaive).not.toBeNull();
        else expect(r.overall.bias).toBeNull();
      }
    }
  });

  it("reproduces a campaign that was never routed (no design: nothing in a sample, every count but items zero)", async () => {
    const db = await getDb();
    const c = await createCampaign(db, campaignCreateSchema.parse({ name: "Never routed", rubric: { type: "likert", min: 1, max: 5 } }), { actorId: researcherId });
    await importItems(db, c, bytes(jsonl([{ id: "u1", output: "o", judge_score: 3, human_ratings: [{ rater: "r", value: 2 }] }])), { format: "jsonl", actorId: researcherId });
    const zip = await bundle(await load(c.id), "csv", "never-routed");
    expectAgrees(zip);
    const r = JSON.parse(reproduce(zip).out) as { runId: string | null; overall: { counts: Record<string, number>; enough: boolean } };
    expect(r.runId).toBeNull();
    expect(r.overall).toMatchObject({ enough: false, counts: { items: 0, labelled: 0 } });
  });

  it("notices one changed judgment value, even with the checksums forged to match", async () => {
    const db = await getDb();
    const zip = await bundle(await load(demoId), "csv", "demo-tamper-src");
    // A counted judgment on an item with several ratings: its value feeds α, the consensus and the human mean.
    const [target] = rowsOf<{ id: number; value: number }>(
      await db.execute(sql`
        select j.id, (j.value #>> '{}')::int as value from ${judgments} j
        where j.campaign_id = ${demoId} and (select count(*) from ${judgments} x where x.item_id = j.item_id) >= 3
        order by j.id limit 1`),
    );
    const changed = target!.value === 5 ? 1 : 5;
    const forged = path.join(dir, "demo-forged.zip");
    const t = python(["-c", TAMPER, zip, forged, String(target!.id), String(changed), "1"]);
    expect(t.status, t.out).toBe(0);
    const r = reproduce(forged, "--check");
    expect(r.status, r.out).toBe(1);
    // The human mean of a judged item moved: the naive judge-minus-human-mean bias must differ (no bootstrap in it).
    expect(r.out).toMatch(/^MISMATCH overall\.biasMeanNaive\.estimate: /m);
    expect(r.out).not.toMatch(/checksum/);

    // Left as it is, the changed file also fails its checksum.
    const plain = path.join(dir, "demo-tampered.zip");
    expect(python(["-c", TAMPER, zip, plain, String(target!.id), String(changed), "0"]).status).toBe(0);
    const p = reproduce(plain, "--check");
    expect(p.status, p.out).toBe(1);
    expect(p.out).toMatch(/MISMATCH checksum: .*judgments\.csv/);
  });

  it("refuses a Parquet bundle with a clear message", async () => {
    const zip = await bundle(await load(demoId), "parquet", "demo-parquet");
    const r = reproduce(zip, "--check");
    expect(r.status, r.out).toBe(2);
    expect(r.out).toMatch(/Parquet.*format=csv or format=jsonl/);
  });
});
