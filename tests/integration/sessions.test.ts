// Sessions that end: a sign-out or a role change ends every session issued before it (JWT sessions carry the
// session version they were issued under, checked on each request); a demoted owner can no longer change a campaign.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { campaigns, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { setUserRole } from "@/lib/users/admin";
import { removeMember } from "@/lib/campaigns/invites";
import { changePassword } from "@/lib/users/change-password";
import { deleteAccount } from "@/lib/users/privacy";
import { verifyPassword } from "@/lib/auth/password";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string; sv?: number } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

describe.each(backends())("sessions on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let researcher = "";
  let admin = "";
  let ada = "";
  let bayo = "";
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
    [researcher, admin, ada, bayo] = await Promise.all([id("researcher@margin.demo"), id("admin@margin.demo"), id("ada@margin.demo"), id("bayo@margin.demo")]);
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

  it("an admin hands a demoted owner's campaign to another researcher: the new owner edits, the old one only reads", async () => {
    const db = await getDb();
    const owner = (await import("@/app/api/v1/campaigns/[id]/owner/route")) as unknown as Record<string, Handler>;
    const put = async (userId: string) => {
      const req = new Request(`http://localhost/api/v1/campaigns/${campaignId}/owner`, { method: "PUT", headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" }, body: JSON.stringify({ userId }) });
      const res = await owner.PUT!(req, { params: Promise.resolve({ id: campaignId }) });
      return { status: res.status, json: (await res.json()) as { error?: { field?: string } } };
    };
    const [other] = await db.insert(users).values({ email: "second-researcher@example.org", name: "Second Researcher", role: "researcher" }).returning({ id: users.id });
    await setUserRole(db, { actorId: admin, userId: researcher, role: "contributor" });
    await signIn(researcher);
    expect((await put(other!.id)).status).toBe(403);
    await signIn(admin);
    expect((await put(ada)).json.error).toMatchObject({ field: "userId" });
    expect((await put(other!.id)).status).toBe(200);
    const [c] = await db.select({ ownerId: campaigns.ownerId }).from(campaigns).where(eq(campaigns.id, campaignId));
    expect(c!.ownerId).toBe(other!.id);
    await signIn(other!.id);
    expect(await call(patch, "PATCH", { description: "the new owner's" })).toBe(200);
    await setUserRole(db, { actorId: admin, userId: researcher, role: "researcher" });
    await signIn(researcher);
    // Researcher again, but no longer the owner: a campaign auditor now, reading only.
    expect(await call(get, "GET")).toBe(200);
    expect(await call(patch, "PATCH", { description: "mine again?" })).toBe(403);
    await signIn(admin);
    expect((await put(researcher)).status).toBe(200);
  });

  it("a password change ends every session, this one included; the old password stops working and the new one works", async () => {
    const db = await getDb();
    await signIn(bayo);
    const me = (await import("@/app/api/v1/me/route")) as unknown as Record<string, Handler>;
    const meStatus = async () => (await me.GET!(new Request("http://localhost/api/v1/me", { headers: { host: "localhost" } }), { params: Promise.resolve({}) })).status;
    expect(await meStatus()).toBe(200);
    await expect(changePassword(db, { userId: bayo, current: "wrong password", password: "a-new-password-1" })).rejects.toMatchObject({ code: "bad_request", details: { field: "current" } });
    expect(await meStatus()).toBe(200);
    await changePassword(db, { userId: bayo, current: "margin-demo", password: "a-new-password-1" });
    expect(await meStatus()).toBe(401);
    const [row] = await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, bayo));
    expect(await verifyPassword("a-new-password-1", row!.hash!)).toBe(true);
    expect(await verifyPassword("margin-demo", row!.hash!)).toBe(false);
    await signIn(bayo);
    expect(await meStatus()).toBe(200);
  });

  it("removal from an invite-only campaign ends access to it on the next request; deleting the account ends the session", async () => {
    const db = await getDb();
    const next = (await import("@/app/api/campaigns/[slug]/assignments/next/route")) as unknown as Record<string, Handler>;
    const [c] = await db.select({ slug: campaigns.slug }).from(campaigns).where(eq(campaigns.id, campaignId));
    const lease = async () =>
      (await next.POST!(new Request(`http://localhost/api/campaigns/${c!.slug}/assignments/next`, { method: "POST", headers: { host: "localhost", origin: "http://localhost" } }), { params: Promise.resolve({ slug: c!.slug }) })).status;
    await signIn(researcher);
    expect(await call(patch, "PATCH", { visibility: "invite" })).toBe(200);
    await signIn(ada);
    expect(await lease()).toBe(200);
    await removeMember(db, { campaignId, ownerId: researcher, actorId: researcher, userId: ada });
    expect([403, 404]).toContain(await lease());

    await deleteAccount(db, { userId: ada });
    const me = (await import("@/app/api/v1/me/route")) as unknown as Record<string, Handler>;
    expect((await me.GET!(new Request("http://localhost/api/v1/me", { headers: { host: "localhost" } }), { params: Promise.resolve({}) })).status).toBe(401);
  });
});
