import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { rowsOf } from "@/db";
import { apiKeys, auditEvents, judgments, oauthAccounts, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { createApiKey } from "@/lib/auth/api-keys";
import { authenticate } from "@/lib/auth/credentials";
import { deleteAccount, exportMyData } from "@/lib/users/privacy";
import { backends, type TestDb } from "./backends";

describe.each(backends())("contributor privacy on $name", (backend) => {
  let t: TestDb;
  let adaId = "";
  beforeAll(async () => {
    t = await backend.open();
    await seedDemo(t.db, { items: 80 });
    adaId = (await t.db.select({ id: users.id }).from(users).where(eq(users.email, "ada@margin.demo")))[0]!.id;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("gives a contributor their account and every judgment as JSON", async () => {
    const data = await exportMyData(t.db, adaId);
    const [{ n }] = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from judgments where annotator_id = ${adaId}`)) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
    expect(data.account).toMatchObject({ id: adaId, email: "ada@margin.demo" });
    expect(data.judgments).toHaveLength(n);
    expect(data.judgments[0]).toHaveProperty("itemExternalId");
  });

  it("deletes the account's personal data, keeps the judgments, and refuses sign-in afterwards", async () => {
    expect((await authenticate(t.db, "ada@margin.demo", "margin-demo", { ip: "10.1.1.1" })).ok).toBe(true);
    await createApiKey(t.db, { userId: adaId, name: "mine" });
    await t.db.insert(oauthAccounts).values({ provider: "github", providerAccountId: "ada-gh", userId: adaId });
    const before = await t.db.select({ id: judgments.id, value: judgments.value }).from(judgments).where(eq(judgments.annotatorId, adaId)).orderBy(judgments.id);

    await deleteAccount(t.db, { userId: adaId, ip: "10.1.1.1" });

    const [u] = await t.db.select().from(users).where(eq(users.id, adaId));
    expect(u!.email).toMatch(/^deleted-[0-9a-f-]{36}@invalid$/);
    expect(u).toMatchObject({ name: "Deleted contributor", passwordHash: null, languages: [], region: null });
    expect(u!.deletedAt).toBeInstanceOf(Date);
    expect(await t.db.select().from(apiKeys).where(eq(apiKeys.userId, adaId))).toHaveLength(0);
    expect(await t.db.select().from(oauthAccounts).where(eq(oauthAccounts.userId, adaId))).toHaveLength(0);
    const after = await t.db.select({ id: judgments.id, value: judgments.value }).from(judgments).where(eq(judgments.annotatorId, adaId)).orderBy(judgments.id);
    expect(after).toEqual(before);
    const rows = rowsOf<Record<string, unknown>>(await t.db.execute(sql`select * from users where id = ${adaId}`));
    expect(JSON.stringify(rows)).not.toMatch(/ada@margin\\.demo|"Ada/);
    expect((await authenticate(t.db, "ada@margin.demo", "margin-demo", { ip: "10.1.1.2" })).ok).toBe(false);
    expect((await authenticate(t.db, u!.email, "margin-demo", { ip: "10.1.1.3" })).ok).toBe(false);
    const events = await t.db.select().from(auditEvents).where(eq(auditEvents.action, "user.delete"));
    expect(events.map((e) => e.targetId)).toContain(adaId);
    await expect(deleteAccount(t.db, { userId: adaId })).rejects.toMatchObject({ code: "not_found" });
  });

  it("does not let an admin delete themselves", async () => {
    const admin = (await t.db.select({ id: users.id }).from(users).where(eq(users.email, "admin@margin.demo")))[0]!.id;
    await expect(deleteAccount(t.db, { userId: admin })).rejects.toMatchObject({ code: "conflict" });
  });
});
