// Linking a sign-in provider from settings: only for the person whose current session the signed intent names;
// a provider account already signing in someone else is refused; an intent for another provider changes nothing.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/db";
import { auditEvents, oauthAccounts, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { LINK_COOKIE, signLinkIntent } from "@/lib/auth/link-intent";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string; sv?: number } } | null } = { current: null };
const jar = new Map<string, string>();
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (k: string) => (jar.has(k) ? { name: k, value: jar.get(k)! } : undefined), delete: (k: string) => void jar.delete(k), set: (k: string, v: string) => void jar.set(k, v) }),
  headers: async () => new Headers(),
}));

describe.each(backends())("linking a provider from settings on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let ada = "";
  let bayo = "";
  beforeAll(async () => {
    process.env.AUTH_SECRET ??= "test-secret-".repeat(4);
    drop = await useAppDatabase(backend);
    const db = await getDb();
    await seedDemo(db, { items: 5 });
    const id = async (email: string) => (await db.select({ id: users.id, sv: users.sessionVersion }).from(users).where(eq(users.email, email)))[0]!;
    ada = (await id("ada@margin.demo")).id;
    bayo = (await id("bayo@margin.demo")).id;
  });
  afterAll(async () => drop());

  const signInCallback = async (provider: string, providerAccountId: string) => {
    const { authOptions } = await import("@/lib/auth/options");
    // An unverified profile: without the settings intent this could never link or sign in (lib/auth/oauth.ts).
    return authOptions.callbacks!.signIn!({ account: { type: "oauth", provider, providerAccountId }, user: { id: "", email: "someone@example.org" }, profile: { email: "someone@example.org", email_verified: false } } as never);
  };
  const as = async (id: string) => {
    const [u] = await (await getDb()).select({ sv: users.sessionVersion }).from(users).where(eq(users.id, id));
    session.current = { user: { id, sv: u!.sv } };
  };

  it("links for the signed-in person the intent names, once, audited; keeps them signed in", async () => {
    await as(ada);
    jar.set(LINK_COOKIE, signLinkIntent(ada, "github"));
    expect(await signInCallback("github", "gh-1")).toBe("/settings/privacy?linked=github");
    expect(jar.has(LINK_COOKIE)).toBe(false);
    const db = await getDb();
    expect(await db.select().from(oauthAccounts).where(eq(oauthAccounts.providerAccountId, "gh-1"))).toMatchObject([{ userId: ada, provider: "github" }]);
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.actorId, ada), eq(auditEvents.action, "auth.oauth_link")))).toHaveLength(1);
    // Doing it again is fine and writes nothing more.
    jar.set(LINK_COOKIE, signLinkIntent(ada, "github"));
    expect(await signInCallback("github", "gh-1")).toBe("/settings/privacy?linked=github");
    expect(await db.select().from(auditEvents).where(and(eq(auditEvents.actorId, ada), eq(auditEvents.action, "auth.oauth_link")))).toHaveLength(1);
  });

  it("refuses a provider account that signs in someone else, an intent for another person, and a stale session", async () => {
    const db = await getDb();
    await as(bayo);
    jar.set(LINK_COOKIE, signLinkIntent(bayo, "github"));
    expect(await signInCallback("github", "gh-1")).toBe("/settings/privacy?linkError=taken");
    // Ada's intent presented from Bayo's session.
    jar.set(LINK_COOKIE, signLinkIntent(ada, "github"));
    expect(await signInCallback("github", "gh-2")).toBe("/settings/privacy?linkError=session");
    // A session from before Bayo's last sign-out.
    session.current = { user: { id: bayo, sv: -1 } };
    jar.set(LINK_COOKIE, signLinkIntent(bayo, "github"));
    expect(await signInCallback("github", "gh-2")).toBe("/settings/privacy?linkError=session");
    expect(await db.select().from(oauthAccounts).where(eq(oauthAccounts.providerAccountId, "gh-2"))).toHaveLength(0);
  });

  it("without an intent for this provider, an unverified email still neither links nor signs in", async () => {
    await as(bayo);
    jar.set(LINK_COOKIE, signLinkIntent(bayo, "google"));
    expect(await signInCallback("github", "gh-3")).toBe("/signin?error=OAuthEmailUnverified");
    jar.clear();
    expect(await signInCallback("github", "gh-3")).toBe("/signin?error=OAuthEmailUnverified");
    expect(await (await getDb()).select().from(oauthAccounts).where(eq(oauthAccounts.providerAccountId, "gh-3"))).toHaveLength(0);
  });
});
