import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDb } from "@/db/client";
import { apiKeys, auditEvents, campaignInvites, campaignMembers, campaigns, oauthAccounts, rateLimits, users } from "@/db/schema";
import { authenticate } from "@/lib/auth/credentials";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { LIMITS, LONGEST_WINDOW_SECONDS, hitRateLimit, pruneRateLimits } from "@/lib/auth/rate-limit";
import { inviteMember } from "@/lib/campaigns/invites";
import { signUp, signUpSchema } from "@/lib/users/signup";
import { setUserRole } from "@/lib/users/admin";
import { linkOAuthUser } from "@/lib/auth/oauth";
import { backends, type TestDb } from "./backends";

const input = (over: Record<string, string> = {}) =>
  signUpSchema.parse({ name: "Nia", email: "nia@example.org", password: "a-long-password", languages: "sw, yo", region: "East Africa", ...over });

describe.each(backends())("accounts on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("signs up a contributor with a hashed password, languages and an audit event", async () => {
    const { id } = await signUp(t.db, input(), { ip: "10.0.0.1" });
    const [u] = await t.db.select().from(users).where(eq(users.id, id));
    expect(u).toMatchObject({ email: "nia@example.org", role: "contributor", languages: ["sw", "yo"], region: "East Africa" });
    expect(u!.passwordHash).not.toContain("a-long-password");
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, id));
    expect(events.map((e) => e.action)).toContain("user.signup");
    await expect(signUp(t.db, input({ email: "NIA@example.org" }))).rejects.toMatchObject({ code: "conflict" });
  });

  it("rejects malformed sign-up input by field", () => {
    const r = signUpSchema.safeParse({ name: "", email: "not-an-email", password: "short", languages: "english!" });
    expect(r.success).toBe(false);
    const fields = r.error!.issues.map((i) => i.path[0]);
    expect(fields).toEqual(expect.arrayContaining(["name", "email", "password", "languages"]));
  });

  it("signs in, refuses wrong passwords and unknown emails alike, and locks after repeated failures", async () => {
    await signUp(t.db, input({ email: "lock@example.org" }), { ip: "10.0.0.2" });
    const now = new Date("2026-11-27T10:00:00Z");
    const ok = await authenticate(t.db, "lock@example.org", "a-long-password", { ip: "10.0.0.2", now });
    expect(ok.ok).toBe(true);
    expect(await authenticate(t.db, "ghost@example.org", "whatever-pass", { ip: "10.0.0.2", now })).toEqual({ ok: false, reason: "invalid" });
    for (let i = 0; i < LIMITS.signInFailuresPerAccount.limit; i++) {
      expect(await authenticate(t.db, "lock@example.org", "wrong", { ip: "10.0.0.2", now })).toEqual({ ok: false, reason: "invalid" });
    }
    // Locked: even the right password is refused until the window passes.
    expect(await authenticate(t.db, "lock@example.org", "a-long-password", { ip: "10.0.0.2", now })).toEqual({ ok: false, reason: "locked" });
    const later = new Date(now.getTime() + (LIMITS.signInFailuresPerAccount.windowSeconds + 1) * 1000);
    expect((await authenticate(t.db, "lock@example.org", "a-long-password", { ip: "10.0.0.2", now: later })).ok).toBe(true);
    const failures = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "auth.signin_failed"));
    expect(failures.length).toBeGreaterThanOrEqual(LIMITS.signInFailuresPerAccount.limit + 1);
  });

  it("limits sign-in attempts per IP", async () => {
    const now = new Date("2026-11-27T11:00:00Z");
    // Empty passwords still count against the IP (they are checked after the limiter) and skip scrypt.
    for (let i = 0; i < LIMITS.signInPerIp.limit; i++) await authenticate(t.db, `x${i}@example.org`, "", { ip: "10.9.9.9", now });
    expect(await authenticate(t.db, "nia@example.org", "a-long-password", { ip: "10.9.9.9", now })).toEqual({ ok: false, reason: "rate_limited" });
    expect((await authenticate(t.db, "nia@example.org", "a-long-password", { ip: "10.9.9.8", now })).ok).toBe(true);
  });

  it("creates, uses and revokes API keys; a revoked key fails at once; keys are stored hashed", async () => {
    const [nia] = await t.db.select().from(users).where(eq(users.email, "nia@example.org"));
    const { key, id, prefix } = await createApiKey(t.db, { userId: nia!.id, name: "pipeline" });
    expect(key.startsWith(prefix)).toBe(true);
    const stored = await t.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    expect(JSON.stringify(stored)).not.toContain(key);
    const actor = await authenticateApiKey(t.db, key);
    expect(actor).toMatchObject({ id: nia!.id, role: "contributor", apiKeyId: id });
    expect((await listApiKeys(t.db, nia!.id))[0]!.lastUsedAt).not.toBeNull();
    expect(await authenticateApiKey(t.db, `${key}x`)).toBeNull();
    // Another person cannot revoke it (not found), the owner can.
    const { id: otherId } = await signUp(t.db, input({ email: "other@example.org" }), { ip: "10.0.0.3" });
    await expect(revokeApiKey(t.db, { userId: otherId, keyId: id })).rejects.toMatchObject({ code: "not_found" });
    await revokeApiKey(t.db, { userId: nia!.id, keyId: id });
    expect(await authenticateApiKey(t.db, key)).toBeNull();
    const actions = (await t.db.select().from(auditEvents).where(eq(auditEvents.targetId, id))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["api_key.create", "api_key.revoke"]));
  });

  it("promotes users (audited) and refuses an admin demoting themselves", async () => {
    const [nia] = await t.db.select().from(users).where(eq(users.email, "nia@example.org"));
    const { id: adminId } = await signUp(t.db, input({ email: "root@example.org" }), { ip: "10.0.0.4" });
    await t.db.update(users).set({ role: "admin" }).where(eq(users.id, adminId));
    await setUserRole(t.db, { actorId: adminId, userId: nia!.id, role: "researcher" });
    expect((await t.db.select().from(users).where(eq(users.id, nia!.id)))[0]!.role).toBe("researcher");
    await expect(setUserRole(t.db, { actorId: adminId, userId: adminId, role: "contributor" })).rejects.toMatchObject({ code: "conflict" });
    const ev = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "user.role_change"));
    expect(ev.at(-1)!.details).toEqual({ from: "contributor", to: "researcher" });
  });

  it("invites by email: existing accounts join at once, new emails when they sign up", async () => {
    const [nia] = await t.db.select().from(users).where(eq(users.email, "nia@example.org"));
    const [other] = await t.db.select().from(users).where(eq(users.email, "other@example.org"));
    const [c] = await t.db
      .insert(campaigns)
      .values({ slug: "invite-test", name: "Invite test", rubric: { type: "binary", labels: ["no", "yes"] }, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.9, controlRate: 0.1 }, visibility: "invite", status: "active", ownerId: nia!.id })
      .returning();
    await t.db.insert(campaignMembers).values({ campaignId: c!.id, userId: nia!.id, role: "owner" });
    expect(await inviteMember(t.db, { campaignId: c!.id, ownerId: nia!.id, actorId: nia!.id, email: "other@example.org", role: "auditor" })).toEqual({ status: "added" });
    expect(await inviteMember(t.db, { campaignId: c!.id, ownerId: nia!.id, actorId: nia!.id, email: "Later@Example.org", role: "annotator" })).toEqual({ status: "pending" });
    await expect(inviteMember(t.db, { campaignId: c!.id, ownerId: nia!.id, actorId: nia!.id, email: "x@example.org", role: "owner" })).rejects.toMatchObject({ code: "bad_request" });
    const members = await t.db.select().from(campaignMembers).where(eq(campaignMembers.campaignId, c!.id));
    expect(members.find((m) => m.userId === other!.id)?.role).toBe("auditor");
    const { id: laterId } = await signUp(t.db, input({ email: "later@example.org" }), { ip: "10.0.0.5" });
    const after = await t.db.select().from(campaignMembers).where(eq(campaignMembers.userId, laterId));
    expect(after).toEqual([expect.objectContaining({ campaignId: c!.id, role: "annotator" })]);
    expect(await t.db.select().from(campaignInvites).where(eq(campaignInvites.campaignId, c!.id))).toEqual([]);
  });

  it("links OAuth identities to existing accounts by email, or creates contributors", async () => {
    const [nia] = await t.db.select().from(users).where(eq(users.email, "nia@example.org"));
    // A provider that does not assert the address is the user's cannot take over an account (or create one).
    expect(await linkOAuthUser(t.db, { provider: "github", providerAccountId: "666", email: "NIA@example.org", name: "Mallory", emailVerified: false })).toBeNull();
    expect(await t.db.select().from(oauthAccounts).where(eq(oauthAccounts.providerAccountId, "666"))).toHaveLength(0);
    expect(await linkOAuthUser(t.db, { provider: "google", providerAccountId: "g-9", email: "unverified@example.org", name: "U", emailVerified: false })).toBeNull();
    expect(await t.db.select().from(users).where(eq(users.email, "unverified@example.org"))).toHaveLength(0);
    expect(await linkOAuthUser(t.db, { provider: "github", providerAccountId: "42", email: "NIA@example.org", name: "Nia", emailVerified: true })).toBe(nia!.id);
    // An existing link needs no email at all.
    expect(await linkOAuthUser(t.db, { provider: "github", providerAccountId: "42", email: null, name: null, emailVerified: false })).toBe(nia!.id);
    const fresh = await linkOAuthUser(t.db, { provider: "google", providerAccountId: "g-1", email: "new@example.org", name: "New", emailVerified: true });
    expect((await t.db.select().from(users).where(eq(users.id, fresh!)))[0]!.role).toBe("contributor");
    expect(await linkOAuthUser(t.db, { provider: "google", providerAccountId: "g-2", email: null, name: null, emailVerified: true })).toBeNull();
  });
});

// Only meaningful with a server: several app instances are several connection pools on one database.
describe.each(backends().filter((b) => b.name === "postgres"))("rate limits on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });
  it("prunes counters whose window has long passed, and keeps the live ones", async () => {
    const l = LIMITS.signInFailuresPerAccount;
    const now = new Date("2026-11-28T12:00:00Z");
    await hitRateLimit(t.db, "old-key", l, new Date(now.getTime() - (LONGEST_WINDOW_SECONDS + 60) * 1000));
    await hitRateLimit(t.db, "live-key", l, new Date(now.getTime() - 60_000));
    const gone = await pruneRateLimits(t.db, now);
    expect(gone).toBeGreaterThanOrEqual(1);
    const keys = (await t.db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key);
    expect(keys).toContain("live-key");
    expect(keys).not.toContain("old-key");
  });

  it("shares rate-limit counters across app instances (two connection pools)", async () => {
    const second = await openDb({ url: t.url!, max: 2 });
    try {
      const l = { limit: 3, windowSeconds: 60 };
      const now = new Date("2026-11-27T12:00:00Z");
      await hitRateLimit(t.db, "shared", l, now);
      await hitRateLimit(second.db, "shared", l, now);
      await hitRateLimit(t.db, "shared", l, now);
      expect((await hitRateLimit(second.db, "shared", l, now)).allowed).toBe(false);
    } finally {
      await second.close();
    }
  });
});
