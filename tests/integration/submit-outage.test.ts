// A judgment stored just before the database goes away: the answer says it was saved (200, nextUnavailable),
// never a 503 claiming nothing was saved; sending it again replays it.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { judgments, users } from "@/db/schema";
import { DEMO_SLUG, seedDemo } from "@/db/seed";
import type * as AssignNext from "@/lib/assign/assign-next";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));
const outage = { on: false };
vi.mock("@/lib/assign/assign-next", async (importOriginal) => {
  const real = await importOriginal<typeof AssignNext>();
  return {
    ...real,
    assignNextItem: async (...args: Parameters<typeof real.assignNextItem>) => {
      if (outage.on) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
      return real.assignNextItem(...args);
    },
  };
});

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

describe.each(backends())("a submit that outlives its next lease on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let ada = "";
  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    await seedDemo(db, { items: 30 });
    ada = (await db.select({ id: users.id }).from(users).where(eq(users.email, "ada@margin.demo")))[0]!.id;
  });
  afterAll(async () => {
    outage.on = false;
    await drop();
  });

  it("answers 200 with nextUnavailable, stores the judgment once, and a resend is a replay", async () => {
    session.current = { user: { id: ada } };
    const post = async (handler: Handler, path: string, body: unknown) => {
      const res = await handler(new Request(`http://localhost${path}`, { method: "POST", headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve({ slug: DEMO_SLUG }) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const next = (await import("@/app/api/campaigns/[slug]/assignments/next/route")) as unknown as Record<string, Handler>;
    const judge = (await import("@/app/api/campaigns/[slug]/judgments/route")) as unknown as Record<string, Handler>;
    const leased = await post(next.POST!, `/api/campaigns/${DEMO_SLUG}/assignments/next`, {});
    const assignmentId = (leased.json.item as { assignmentId: number }).assignmentId;
    const count = async () => (await (await getDb()).select({ n: sql<number>`count(*)::int` }).from(judgments).where(eq(judgments.annotatorId, ada)))[0]!.n;
    const before = await count();

    outage.on = true;
    const saved = await post(judge.POST!, `/api/campaigns/${DEMO_SLUG}/judgments`, { assignmentId, value: 4 });
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ judgmentId: expect.any(Number), next: null, nextUnavailable: true });
    expect(await count()).toBe(before + 1);
    outage.on = false;
    const again = await post(judge.POST!, `/api/campaigns/${DEMO_SLUG}/judgments`, { assignmentId, value: 4 });
    expect(again.json).toMatchObject({ judgmentId: saved.json.judgmentId, replayed: true });
    expect(await count()).toBe(before + 1);
  });
});
