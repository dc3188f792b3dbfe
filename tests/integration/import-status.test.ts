// Import outcomes are named honestly: some rows rejected is `partial` (not "succeeded"), no rows is `empty`, every
// row rejected is `failed`; the route answers 201 only when rows went in, and the imports list says the same.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { auditEvents, campaigns, imports, items, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { importOutcome, importSentence } from "@/lib/ingest/status";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

const good = (id: string) => JSON.stringify({ id, output: "an answer", judge_score: 3, judge_confidence: 0.5 });
const bad = (id: string) => JSON.stringify({ id, output: "an answer", judge_score: 9 });

describe.each(backends())("import statuses on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let researcher = "";
  let campaignId = "";
  let post: Handler;
  let list: Handler;
  const send = async (body: string, query = "", contentType = "application/x-ndjson") => {
    session.current = { user: { id: researcher } };
    const req = new Request(`http://localhost/api/v1/campaigns/${campaignId}/items${query}`, { method: "POST", headers: { host: "localhost", origin: "http://localhost", "content-type": contentType }, body });
    const res = await post(req, { params: Promise.resolve({ id: campaignId }) });
    return { status: res.status, json: (await res.json()) as { import: { importId: string; status: string; rowsTotal: number; rowsNew: number; rowsRejected: number }; routing: unknown } };
  };
  const countItems = async () => (await (await getDb()).select({ n: sql<number>`count(*)::int` }).from(items).where(eq(items.campaignId, campaignId)))[0]!.n;

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 10 }));
    researcher = (await db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo")))[0]!.id;
    post = ((await import("@/app/api/v1/campaigns/[id]/items/route")) as unknown as { POST: Handler }).POST;
    list = ((await import("@/app/api/v1/campaigns/[id]/imports/route")) as unknown as { GET: Handler }).GET;
  });
  afterAll(async () => drop());

  it("a mixed file (1 good, 5 rejected) is partial: 201, the good row in, routing asked for", async () => {
    const before = await countItems();
    const r = await send([good("mix-1"), bad("mix-2"), bad("mix-3"), bad("mix-4"), bad("mix-5"), bad("mix-6")].join("\n"));
    expect(r.status).toBe(201);
    expect(r.json.import).toMatchObject({ status: "partial", rowsTotal: 6, rowsNew: 1, rowsRejected: 5 });
    expect(r.json.routing).not.toBeNull();
    expect(await countItems()).toBe(before + 1);
    const [rec] = await (await getDb()).select().from(imports).where(eq(imports.id, r.json.import.importId));
    expect(rec!.status).toBe("partial");
    const [audit] = await (await getDb()).select().from(auditEvents).where(eq(auditEvents.targetId, rec!.id));
    expect(audit).toMatchObject({ action: "items.import", details: expect.objectContaining({ status: "partial", rowsRejected: 5 }) });
    expect(importSentence(r.json.import)).toBe("1 imported, 5 rejected (of 6 rows).");
  });

  it("an empty file is empty, not succeeded: 422, nothing written, recorded", async () => {
    const before = await countItems();
    for (const [body, type] of [["", "application/x-ndjson"], ["\n\n", "application/x-ndjson"], ["id,output\n", "text/csv"], ["[]", "application/json"]] as const) {
      const r = await send(body, "", type);
      expect(r.status, `${type} ${JSON.stringify(body)}`).toBe(422);
      expect(r.json.import).toMatchObject({ status: "empty", rowsTotal: 0, rowsNew: 0, rowsRejected: 0 });
      expect(r.json.routing).toBeNull();
      const [rec] = await (await getDb()).select().from(imports).where(eq(imports.id, r.json.import.importId));
      expect(rec!.status).toBe("empty");
    }
    expect(await countItems()).toBe(before);
    expect(importSentence({ status: "empty", rowsTotal: 0, rowsRejected: 0 })).toBe("Nothing was imported: the file has no rows.");
  });

  it("a file whose every row is rejected is failed (also without all-or-nothing): 422, nothing written", async () => {
    const before = await countItems();
    const r = await send([bad("all-1"), bad("all-2")].join("\n"));
    expect(r.status).toBe(422);
    expect(r.json.import).toMatchObject({ status: "failed", rowsTotal: 2, rowsNew: 0, rowsRejected: 2 });
    expect(r.json.routing).toBeNull();
    expect(await countItems()).toBe(before);
    expect(importSentence(r.json.import)).toBe("Nothing was imported: all 2 rows were rejected.");
    // All-or-nothing with one bad row of two: failed too, and the sentence says why.
    const atomic = await send([good("atomic-1"), bad("atomic-2")].join("\n"), "?mode=all-or-nothing");
    expect(atomic.json.import).toMatchObject({ status: "failed", rowsTotal: 2, rowsRejected: 1 });
    expect(importSentence(atomic.json.import)).toBe("Nothing was imported: 1 of 2 rows rejected, and all-or-nothing was asked for.");
  });

  it("every row good is succeeded", async () => {
    const r = await send([good("ok-1"), good("ok-2")].join("\n"));
    expect(r.status).toBe(201);
    expect(r.json.import).toMatchObject({ status: "succeeded", rowsTotal: 2, rowsNew: 2, rowsRejected: 0 });
    expect(importSentence(r.json.import)).toBe("Imported 2 rows.");
  });

  it("lists imports with their outcome, reading imports recorded before partial and empty existed honestly", async () => {
    const db = await getDb();
    // As recorded before migration 0009: "succeeded" whatever was rejected.
    await db.insert(imports).values([
      { campaignId, userId: researcher, format: "jsonl", status: "succeeded", rowsTotal: 3, rowsNew: 1, rowsRejected: 2, createdAt: new Date(Date.now() + 60_000) },
      { campaignId, userId: researcher, format: "jsonl", status: "succeeded", rowsTotal: 0, createdAt: new Date(Date.now() + 120_000) },
    ]);
    session.current = { user: { id: researcher } };
    const res = await list(new Request(`http://localhost/api/v1/campaigns/${campaignId}/imports`, { headers: { host: "localhost" } }), { params: Promise.resolve({ id: campaignId }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { imports: { status: string; rowsTotal: number; rowsImported: number; errorReport: string | null }[] };
    expect(body.imports.map((i) => i.status)).toEqual(["empty", "partial", "succeeded", "failed", "failed", "empty", "empty", "empty", "empty", "partial"]);
    expect(body.imports[1]).toMatchObject({ rowsTotal: 3, rowsImported: 1, errorReport: expect.stringContaining("/errors") });
    expect(importOutcome({ status: "succeeded", rowsTotal: 2, rowsRejected: 2 })).toBe("failed");
    const [c] = await db.select({ slug: campaigns.slug }).from(campaigns).where(eq(campaigns.id, campaignId));
    expect(c!.slug).toBe("multilingual-helpfulness");
  });
});
