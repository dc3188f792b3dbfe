// Sessions that end: a sign-out or a role change ends every session issued before it (JWT sessions carry the
// session version they were issued under, checked on each request); a demoted owner can no longer change a campaign.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { campaigns, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { setUserRole } from "@/lib/users/admin";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string; sv?: number } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

describe.each(backends())("sessions on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let researcher = "";
  let admin = "";
  let campaignId = "";
  let get!: Handler;
  let patch!: Handler;
  const call = async (h: Handler, method: string, body?: unknown) => {
    const req = new Request(`http://localhost/api/v1/campaigns/${campaignId}`, {
      method,
      headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await h(req, { params: Promise.resolve({ id: campaignId }) })).status;
  };
  /** What next-auth puts in a session at sign-in (the jwt and session callbacks). */
  const signIn = async (id: string) => {
    const { authOptions } = await import("@/lib/auth/options");
    const token = await authOptions.callbacks!.jwt!({ token: {}, user: { id }, account: null } as never);
    const s = await authOptions.callbacks!.session!({ session: { expires: "" }, token, user: undefined } as never);
    session.current = s as unknown as { user: { id: string; sv?: number } };
    return token;
  };

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 10 }));
    const id = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    [researcher, admin] = await Promise.all([id("researcher@margin.demo"), id("admin@margin.demo")]);
    const route = await import("@/app/api/v1/campaigns/[id]/route");
    get = route.GET as unknown as Handler;
    patch = route.PATCH as unknown as Handler;
  });
  afterAll(async () => drop());

  it("a sign-out ends the session, and every copy of its cookie", async () => {
    const token = await signIn(researcher);
    expect(await call(get, "GET")).toBe(200);
    const { authOptions } = await import("@/lib/auth/options");
    await authOptions.events!.signOut!({ token, session: session.current } as never);
    // The same cookie, replayed after sign-out.
    expect(await call(get, "GET")).toBe(401);
    await signIn(researcher);
    expect(await call(get, "GET")).toBe(200);
  });

  it("a role change ends the person's sessions, and a demoted owner can read but not change the campaign", async () => {
    await signIn(researcher);
    expect(await call(patch, "PATCH", { description: "still mine" })).toBe(200);
    await setUserRole(await getDb(), { actorId: admin, userId: researcher, role: "contributor" });
    expect(await call(get, "GET")).toBe(401);
    await signIn(researcher);
    expect(await call(get, "GET")).toBe(200);
    expect(await call(patch, "PATCH", { description: "not any more" })).toBe(403);
    const [c] = await (await getDb()).select({ d: campaigns.description }).from(campaigns).where(eq(campaigns.id, campaignId));
    expect(c!.d).toBe("still mine");
    await setUserRole(await getDb(), { actorId: admin, userId: researcher, role: "researcher" });
  });
});
