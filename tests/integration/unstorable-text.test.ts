// Text PostgreSQL cannot store (NUL) or that is not Unicode (a lone surrogate) is a 400 naming where it was, on
// every kind of input a route or action takes: address, query, route params, JSON body, form fields. Never a 500,
// and nothing written.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { campaigns, judgments, users } from "@/db/schema";
import { DEMO_SLUG, seedDemo } from "@/db/seed";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-margin-client-ip": "127.0.0.1" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Action = (prev: unknown, fd: FormData) => Promise<{ error?: string; fieldErrors?: Record<string, string>; success?: string } | undefined>;
const NUL = "\u0000";
const LONE = "\ud800";

async function call(handler: Handler, method: string, url: string, params: Record<string, string>, body: unknown, as: string) {
  session.current = { user: { id: as } };
  const req = new Request(`http://localhost${url}`, {
    method,
    headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await handler(req, { params: Promise.resolve(params) });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; field?: string } } };
}

describe.each(backends())("unstorable text is a 400 on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let researcher = "";
  let admin = "";
  let ada = "";
  let demoId = "";
  const count = async () => {
    const db = await getDb();
    return [(await db.select({ n: sql<number>`count(*)::int` }).from(campaigns))[0]!.n, (await db.select({ n: sql<number>`count(*)::int` }).from(judgments))[0]!.n];
  };

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId: demoId } = await seedDemo(db, { items: 40 }));
    const idOf = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    [researcher, admin, ada] = await Promise.all(["researcher@margin.demo", "admin@margin.demo", "ada@margin.demo"].map(idOf)) as [string, string, string];
  });
  afterAll(async () => {
    await drop();
  });

  it("in a JSON body, route params, the path and the query", async () => {
    const before = await count();
    const list = (await import("@/app/api/v1/campaigns/route")) as unknown as Record<string, Handler>;
    const one = (await import("@/app/api/v1/campaigns/[id]/route")) as unknown as Record<string, Handler>;
    const audit = (await import("@/app/api/v1/audit.csv/route")) as unknown as Record<string, Handler>;
    const next = (await import("@/app/api/campaigns/[slug]/assignments/next/route")) as unknown as Record<string, Handler>;
    const judge = (await import("@/app/api/campaigns/[slug]/judgments/route")) as unknown as Record<string, Handler>;

    const created = await call(list.POST!, "POST", "/api/v1/campaigns", {}, { name: "NUL test", description: `a${NUL}b`, rubric: { type: "likert", min: 1, max: 5 } }, researcher);
    expect(created.status).toBe(400);
    expect(created.json.error).toMatchObject({ code: "bad_request", field: "description" });
    expect(created.json.error!.message).toMatch(/NUL/);
    const nested = await call(list.POST!, "POST", "/api/v1/campaigns", {}, { name: "x-lone", rubric: { type: "categorical", options: ["ok", `b${LONE}`] } }, researcher);
    expect(nested.json.error).toMatchObject({ code: "bad_request", field: "rubric.options.1" });
    expect(nested.json.error!.message).toMatch(/surrogate/);

    const patched = await call(one.PATCH!, "PATCH", `/api/v1/campaigns/${demoId}`, { id: demoId }, { guidelines: `x${LONE}` }, researcher);
    expect(patched.status).toBe(400);
    expect((await call(one.GET!, "GET", "/api/v1/campaigns/%00", { id: NUL }, undefined, researcher)).status).toBe(400);
    expect((await call(one.GET!, "GET", "/api/v1/campaigns/%ED%A0%80", { id: "x" }, undefined, researcher)).status).toBe(400);
    const q = await call(audit.GET!, "GET", "/api/v1/audit.csv?action=%00", {}, undefined, admin);
    expect(q.status).toBe(400);
    expect(q.json.error).toMatchObject({ field: "action" });

    const lease = await call(next.POST!, "POST", `/api/campaigns/${DEMO_SLUG}/assignments/next`, { slug: DEMO_SLUG }, {}, ada);
    const assignmentId = (lease.json as unknown as { item: { assignmentId: number } }).item.assignmentId;
    const rated = await call(judge.POST!, "POST", `/api/campaigns/${DEMO_SLUG}/judgments`, { slug: DEMO_SLUG }, { assignmentId, value: 3, rationale: `why${NUL}` }, ada);
    expect(rated.status).toBe(400);
    expect(rated.json.error).toMatchObject({ field: "rationale" });
    expect(await count()).toEqual(before);
    // The same submit with clean text goes through.
    expect((await call(judge.POST!, "POST", `/api/campaigns/${DEMO_SLUG}/judgments`, { slug: DEMO_SLUG }, { assignmentId, value: 3, rationale: "why" }, ada)).status).toBe(200);
  });

  it("in a server action's form fields: refused beside the field, nothing written", async () => {
    const { createCampaignAction } = await import("@/app/campaigns/new/actions");
    session.current = { user: { id: researcher } };
    const fd = new FormData();
    for (const [k, v] of Object.entries({ name: "Form NUL", description: `d${NUL}`, rubricType: "likert", likertMin: "1", likertMax: "5", k: "3", visibility: "public" })) fd.set(k, v);
    const before = await count();
    const r = await (createCampaignAction as unknown as Action)(undefined, fd);
    expect(r?.fieldErrors?.description).toMatch(/NUL/);
    expect(await count()).toEqual(before);
  });
});
