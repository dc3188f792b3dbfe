// POST /api/v1/campaigns/{id}/items through its route handler: the mode parameter (any case; unknown values are a
// 400 that writes nothing) and a re-import that only adds prior labels asking for a routing run.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { campaigns, items, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { createCampaign } from "@/lib/campaigns/manage";
import { MAX_LINE_CHARS } from "@/lib/ingest/parse";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join("\n");

describe.each(backends())("the import route on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let researcher = "";
  let post!: Handler;
  const send = async (campaignId: string, body: string, query = "", contentType = "application/x-ndjson") => {
    session.current = { user: { id: researcher } };
    const req = new Request(`http://localhost/api/v1/campaigns/${campaignId}/items${query}`, {
      method: "POST",
      headers: { host: "localhost", origin: "http://localhost", "content-type": contentType },
      body,
    });
    const res = await post(req, { params: Promise.resolve({ id: campaignId }) });
    return { status: res.status, json: (await res.json()) as { import?: Record<string, unknown>; routing?: unknown; error?: { code: string; message: string; field?: string } } };
  };

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    await seedDemo(db, { items: 10 });
    researcher = (await db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo")))[0]!.id;
    post = (await import("@/app/api/v1/campaigns/[id]/items/route")).POST as unknown as Handler;
  });
  afterAll(async () => {
    const { stopRoutingQueue } = await import("@/lib/routing/schedule");
    await stopRoutingQueue();
    await drop();
  });

  const fresh = async (name: string) => {
    const db = await getDb();
    const c = await createCampaign(db, campaignCreateSchema.parse({ name, rubric: { type: "likert", min: 1, max: 5 } }), { actorId: researcher });
    await db.update(campaigns).set({ status: "active" }).where(eq(campaigns.id, c.id));
    return c.id;
  };
  const count = async (id: string) => (await getDb()).$count(items, eq(items.campaignId, id));

  it("takes the mode in any case and refuses an unknown one, writing nothing", async () => {
    const id = await fresh("Modes");
    const file = jsonl([{ id: "a", output: "x" }, { id: "b" }]);
    const unknown = await send(id, file, "?mode=everything");
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({ code: "bad_request", field: "mode" });
    expect(unknown.json.error!.message).toContain("all-or-nothing");
    const upper = await send(id, file, "?mode=ALL-OR-NOTHING");
    expect(upper.status).toBe(422);
    expect(upper.json.import).toMatchObject({ status: "failed", rowsRejected: 1 });
    expect(await count(id)).toBe(0);
    const partial = await send(id, file, "?mode=Partial");
    expect(partial.status).toBe(201);
    expect(await count(id)).toBe(1);
  });

  it("answers a CSV whose JSON cell nests 5,000 deep with a row error (partial) or a 422 (all-or-nothing), never a 500", async () => {
    const id = await fresh("Deep CSV cell");
    const deep = '{"a":'.repeat(5000) + "1" + "}".repeat(5000);
    const csv = `id,output,metadata\nok,x,"{""k"":1}"\ndeep,x,"${deep.replace(/"/g, '""')}"\n`;
    const partial = await send(id, csv, "", "text/csv");
    expect(partial.status).toBe(201);
    expect(partial.json.import).toMatchObject({ status: "partial", rowsNew: 1, rowsRejected: 1, errors: [{ line: 3, externalId: "deep", reason: expect.stringMatching(/^metadata .*deeper than 32 levels/) }] });
    const atomic = await send(await fresh("Deep CSV cell, atomic"), csv, "?mode=all-or-nothing", "text/csv");
    expect(atomic.status).toBe(422);
    expect(atomic.json.import).toMatchObject({ status: "failed", rowsNew: 0, rowsRejected: 1, errors: [{ line: 3, reason: expect.stringContaining("metadata") }] });
    expect(await count(id)).toBe(1);
  });

  it("answers a CSV row longer than the line limit with a 413 and a JSON error, writing nothing", async () => {
    const id = await fresh("Long CSV row");
    const csv = `id,output\nok,x\nlong,"${"y".repeat(MAX_LINE_CHARS)}"\n`;
    for (const mode of ["partial", "all-or-nothing"]) {
      const res = await send(id, csv, `?mode=${mode}`, "text/csv");
      expect(res.status).toBe(413);
      expect(res.json.error).toMatchObject({ code: "too_large", message: expect.stringMatching(/^A CSV row is longer than 16,777,216 characters \(the limit was reached at line 3\); nothing was imported\.$/) });
    }
    expect(await count(id)).toBe(0);
  });

  it("asks for a routing run when a re-import only adds prior labels", async () => {
    const id = await fresh("Labels later");
    const rows = [{ id: "p1", output: "x", judge_score: 3 }, { id: "p2", output: "y", judge_score: 4 }];
    expect((await send(id, jsonl(rows))).status).toBe(201);
    // Same content, now with ratings from a prior study: no item changes, but the design must take the labels in.
    const again = await send(id, jsonl(rows.map((r) => ({ ...r, human_ratings: [{ rater: "s1", value: 3 }] }))));
    expect(again.status).toBe(201);
    expect(again.json.import).toMatchObject({ rowsNew: 0, rowsUpdated: 0, rowsUnchanged: 2, ratingsWritten: 2 });
    expect(again.json.routing).not.toBeNull();
    // And an identical third import asks for nothing.
    const same = await send(id, jsonl(rows.map((r) => ({ ...r, human_ratings: [{ rater: "s1", value: 3 }] }))));
    expect(same.json.import).toMatchObject({ rowsUnchanged: 2, ratingsWritten: 0 });
    expect(same.json.routing).toBeNull();
  });
});
