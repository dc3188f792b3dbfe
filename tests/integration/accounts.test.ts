import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { openDb } from "@/db/client";
import { apiKeys, auditEvents, campaignInvites, campaignMembers, campaigns, oauthAccounts, rateLimits, users } from "@/db/schema";
import { authenticate } from "@/lib/auth/credentials";
import { authenticateApiKey, createApiKey, listApiKeys, revokeApiKey } from "@/lib/auth/api-keys";
import { LIMITS, LONGEST_WINDOW_SECONDS, SIGNIN_THROTTLE, hitRateLimit, pruneRateLimits, signInDelaySeconds } from "@/lib/auth/rate-limit";
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

  it("signs in, refuses wrong passwords and unknown emails alike, and slows repeated failures down without locking the owner out", async () => {
    await signUp(t.db, input({ email: "lock@example.org" }), { ip: "10.0.0.2" });
    const now = new Date("2026-11-27T10:00:00Z");
    const at = (s: number) => new Date(now.getTime() + s * 1000);
    const slept: number[] = [];
    const ctx = (ip: string, s: number) => ({ ip, now: at(s), sleep: async (ms: number) => void slept.push(ms) });
    const ok = await authenticate(t.db, "lock@example.org", "a-long-password", ctx("10.0.0.2", 0));
    expect(ok.ok).toBe(true);
    expect(await authenticate(t.db, "ghost@example.org", "whatever-pass", ctx("10.0.0.2", 0))).toEqual({ ok: false, reason: "invalid" });
    // An attacker at 10.6.6.6: the free failures, then a wait that doubles with every further failure.
    for (let i = 0; i < SIGNIN_THROTTLE.freeFailures; i++) {
      expect(await authenticate(t.db, "lock@example.org", "wrong", ctx("10.6.6.6", 1))).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await authenticate(t.db, "lock@example.org", "wrong", ctx("10.6.6.6", 1))).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 1 });
    // Even the right password waits its turn from that address (the answer must not tell a guess apart)...
    expect((await authenticate(t.db, "lock@example.org", "a-long-password", ctx("10.6.6.6", 1))).ok).toBe(false);
    // ...while the owner, from their own address, signs in at once.
    expect((await authenticate(t.db, "lock@example.org", "a-long-password", ctx("10.0.0.2", 1))).ok).toBe(true);
    // The owner's success does not clear the attacker's address: its waits keep doubling, 1 s, 2 s, 4 s, 8 s.
    let clock = 1;
    let failed = SIGNIN_THROTTLE.freeFailures;
    const waits: number[] = [];
    for (let k = 0; k < 4; k++) {
      const w = signInDelaySeconds(failed);
      expect(await authenticate(t.db, "lock@example.org", "wrong", ctx("10.6.6.6", clock + w - 1))).toMatchObject({ ok: false, reason: "throttled" });
      clock += w;
      expect(await authenticate(t.db, "lock@example.org", "wrong", ctx("10.6.6.6", clock))).toEqual({ ok: false, reason: "invalid" });
      failed++;
      waits.push(w);
    }
    expect(waits).toEqual([1, 2, 4, 8]);
    // Failures are forgotten after the memory window.
    expect(await authenticate(t.db, "lock@example.org", "a-long-password", ctx("10.6.6.6", clock + SIGNIN_THROTTLE.memorySeconds + 1))).toMatchObject({ ok: true });
    const failures = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "auth.signin_fail"));
    expect(failures.length).toBeGreaterThanOrEqual(SIGNIN_THROTTLE.freeFailures * 2);
    expect((await t.db.select().from(auditEvents).where(eq(auditEvents.action, "auth.signin_throttle"))).length).toBeGreaterThanOrEqual(2);
  });

  it("brakes guessing spread over many addresses with a bounded delay, never a refusal", async () => {
    await signUp(t.db, input({ email: "spread@example.org" }), { ip: "10.0.0.5" });
    const now = new Date("2026-11-27T10:30:00Z");
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    for (let i = 0; i < SIGNIN_THROTTLE.accountFreeFailures + 20; i++) {
      expect(await authenticate(t.db, "spread@example.org", "wrong", { ip: `10.7.0.${i}`, now, sleep })).toEqual({ ok: false, reason: "invalid" });
    }
    expect(slept.length).toBe(19);
    expect(Math.max(...slept)).toBe(SIGNIN_THROTTLE.accountMaxSlowMs);
    const owner = await authenticate(t.db, "spread@example.org", "a-long-password", { ip: "10.0.0.5", now, sleep });
    expect(owner.ok).toBe(true);
    expect(slept.at(-1)).toBe(SIGNIN_THROTTLE.accountMaxSlowMs);
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
    const l = LIMITS.signUpPerIp;
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
