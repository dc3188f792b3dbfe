import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { campaigns, exports as exportsTable, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { streamBundleExport } from "@/lib/export/service";
import { computeReport, DEFAULT_REPORT_PARAMS, type Report } from "@/lib/report";
import { runRouting } from "@/lib/routing/run-routing";
import { backends, useAppDatabase } from "./backends";

/** One file of a zip, read with Python's standard library (as an auditor would). */
function unzipOne(zip: string, name: string): Buffer {
  return execFileSync("python3", ["-c", "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))", zip, name]);
}

describe.each(backends())("a report and its export on $name", (backend) => {
  let drop: () => Promise<void>;
  let campaignId: string;
  let auditorId: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-report-export-"));

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 400 }));
    auditorId = (await db.select({ id: users.id }).from(users).where(eq(users.email, "auditor@margin.demo")))[0]!.id;
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("a report exported before a re-route is reproduced byte for byte, after it, from the run its manifest names", async () => {
    const db = await getDb();
    const load = async () => (await db.select().from(campaigns).where(eq(campaigns.id, campaignId)))[0]!;
    const params = { ...DEFAULT_REPORT_PARAMS, cuts: [0.5, 0.8], minN: 5, reference: { kind: "group" as const, group: "en" } };
    const d = await streamBundleExport({ campaign: await load(), requesterId: auditorId, format: "csv", report: params });
    const zip = path.join(dir, d.filename);
    const chunks: Uint8Array[] = [];
    for await (const c of d.body) chunks.push(c);
    fs.writeFileSync(zip, Buffer.concat(chunks));
    const exported = unzipOne(zip, `${(await load()).slug}-report.json`);
    const manifest = JSON.parse(unzipOne(zip, "manifest.json").toString("utf8")) as { parameters: { consistentSnapshot: boolean }; report: { parameters: Record<string, string>; runId: string; inclusionRecords: number; consensus: string; estimatorVersion: string } };
    const before = JSON.parse(exported.toString("utf8")) as Report;
    // The manifest records the parameters asked for and the run the report used.
    expect(manifest.report).toMatchObject({ parameters: { cuts: "0.5,0.8", minN: "5", ref: "group:en", run: before.design!.runId }, runId: before.design!.runId, consensus: "median", estimatorVersion: before.estimatorVersion });
    expect(manifest.report.inclusionRecords).toBe(400);
    // Nothing changed while the files were written: they and the report come from one state of the campaign.
    expect(manifest.parameters.consistentSnapshot).toBe(true);
    // Read through the run's replica when it has one (backends.ts useAppDatabase): the export's record says so.
    const [record] = await db.select({ manifest: exportsTable.manifest }).from(exportsTable).where(eq(exportsTable.id, d.exportId));
    expect((record!.manifest as { freshness: { source: string } }).freshness.source).toBe(process.env.REPORTS_DATABASE_URL ? "replica" : "primary");
    expect(before.notes.join(" ")).not.toMatch(/reference group/);
    expect(before.reference).toMatchObject({ kind: "group", key: "en" });

    // Re-route with another policy: the latest design changes...
    await db.update(campaigns).set({ routingPolicy: { confidenceThreshold: 0.3, tailThreshold: 0.95, controlRate: 0.3 }, routingPolicyVersion: 2 }).where(eq(campaigns.id, campaignId));
    const run2 = await runRouting(db, campaignId, { actorId: null });
    expect(run2.runId).not.toBe(before.design!.runId);
    const latest = await computeReport(db, await load(), params, "export", new Date(before.computedAt));
    expect(latest.design!.runId).toBe(run2.runId);
    expect(JSON.stringify(latest.overall)).not.toBe(JSON.stringify(before.overall));
    // ...and the report on the exported run, asked for with the manifest's parameters, is the exported file exactly.
    const m = manifest.report.parameters;
    const again = await computeReport(
      db,
      await load(),
      { cuts: m.cuts!.split(",").map(Number), minN: Number(m.minN), reference: { kind: "group", group: m.ref!.slice("group:".length) }, run: m.run! },
      "export",
      new Date(before.computedAt),
    );
    expect(Buffer.from(`${JSON.stringify(again, null, 2)}\n`).equals(exported)).toBe(true);
  });
});
