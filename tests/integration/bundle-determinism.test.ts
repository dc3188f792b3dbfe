import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { exports, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { verifyBundle, unzip } from "@/lib/export/verify-zip";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Route = { GET: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> };
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

// A bundle is deterministic: two downloads of unchanged data, by two people, give the same bytes; the export's
// record names the zip's sha256, and every file inside matches manifest.json and SHA256SUMS.
describe.each(backends())("bundle determinism on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let campaignId = "";
  let auditorId = "";
  let researcherId = "";
  let route: Route;
  let manifestRoute: Route;
  const get = async (format: string, as: string) => {
    session.current = { user: { id: as } };
    return route.GET(new Request(`http://localhost/x?format=${format}`, { headers: { host: "localhost" } }), { params: Promise.resolve({ id: campaignId, kind: "bundle" }) });
  };

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 120 }));
    auditorId = (await db.select({ id: users.id }).from(users).where(eq(users.email, "auditor@margin.demo")))[0]!.id;
    researcherId = (await db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo")))[0]!.id;
    route = (await import("@/app/api/v1/campaigns/[id]/exports/[kind]/route")) as unknown as Route;
    manifestRoute = (await import("@/app/api/v1/campaigns/[id]/exports/manifests/[exportId]/route")) as unknown as Route;
  });
  afterAll(async () => {
    await drop();
  });

  it.each(["csv", "parquet"])("gives the same zip bytes on two downloads (%s), recorded and verifiable", async (format) => {
    const first = await get(format, auditorId);
    expect(first.status).toBe(200);
    const a = new Uint8Array(await first.arrayBuffer());
    // A second download, later and by someone else.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await get(format, researcherId);
    const b = new Uint8Array(await second.arrayBuffer());
    expect(first.headers.get("x-export-id")).not.toBe(second.headers.get("x-export-id"));
    expect(b.byteLength).toBe(a.byteLength);
    expect(sha(b)).toBe(sha(a));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // The header and Content-Length announce what arrives.
    expect(first.headers.get("x-export-sha256")).toBe(sha(a));
    expect(Number(first.headers.get("content-length"))).toBe(a.byteLength);

    // The export's record (its manifest) names the zip's sha256 and the manifest.json inside it.
    const db = await getDb();
    const [row] = await db.select().from(exports).where(eq(exports.id, first.headers.get("x-export-id")!));
    expect(row!.sha256).toBe(sha(a));
    session.current = { user: { id: auditorId } };
    const rec = (await (await manifestRoute.GET(new Request("http://localhost/x", { headers: { host: "localhost" } }), { params: Promise.resolve({ id: campaignId, exportId: row!.id }) })).json()) as {
      exportId: string;
      requester: { userId: string };
      bundle: { sha256: string; bytes: number; manifestSha256: string };
      contentSha256: string;
      dataAsOf: string;
      freshness: { source: string };
    };
    expect(rec).toMatchObject({ exportId: row!.id, requester: { userId: auditorId }, bundle: { sha256: sha(a), bytes: a.byteLength } });
    // Where the files were read is in the record: the run's replica when it has one (backends.ts useAppDatabase).
    expect(rec.freshness.source).toBe(process.env.REPORTS_DATABASE_URL ? "replica" : "primary");

    // Inside: no export id, requester or clock time; the data's time instead; every file checks out.
    const members = await unzip(a);
    expect([...members.keys()].slice(-3)).toEqual([`multilingual-helpfulness-report.json`, "SHA256SUMS", "manifest.json"]);
    const manifestJson = members.get("manifest.json")!;
    expect(sha(manifestJson)).toBe(rec.bundle.manifestSha256);
    const inZip = JSON.parse(new TextDecoder().decode(manifestJson)) as Record<string, unknown>;
    expect(inZip).not.toHaveProperty("exportId");
    expect(inZip).not.toHaveProperty("requester");
    expect(inZip).not.toHaveProperty("createdAt");
    expect(inZip).not.toHaveProperty("freshness");
    expect(inZip.dataAsOf).toBe(rec.dataAsOf);
    expect(inZip.contentSha256).toBe(rec.contentSha256);
    const check = await verifyBundle(a);
    expect(check.ok).toBe(true);
    expect(check.members.length).toBe(5);

    if (format === "parquet") {
      // Parquet members are stored uncompressed: a byte changed inside one is caught.
      const tampered = Uint8Array.from(a);
      tampered[200] = tampered[200]! ^ 0xff;
      expect((await verifyBundle(tampered)).ok).toBe(false);
    }
    // The report's time is the data's.
    const report = JSON.parse(new TextDecoder().decode(members.get("multilingual-helpfulness-report.json")!)) as { computedAt: string };
    expect(report.computedAt).toBe(rec.dataAsOf);
  });
});
