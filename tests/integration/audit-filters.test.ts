// The audit page's filters (date range, campaign, actor, action) run on the server, and the audit CSV exports
// exactly what they select; the admin user search finds people by declared language and region too.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { auditEvents, campaigns, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { auditFilterOf, parseAuditQueryLenient } from "@/lib/audit/filter";
import { listAuditEvents } from "@/lib/audit/query";
import { listUsers } from "@/lib/users/admin";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

describe.each(backends())("audit filters and user search on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let admin = "";
  let ada = "";
  let campaignId = "";
  let otherId = "";
  let csv: Handler;

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 10 }));
    admin = (await db.select({ id: users.id }).from(users).where(eq(users.email, "admin@margin.demo")))[0]!.id;
    ada = (await db.select({ id: users.id }).from(users).where(eq(users.email, "ada@margin.demo")))[0]!.id;
    const [other] = await db.insert(campaigns).values({ slug: "other-campaign", name: "Other", ownerId: admin, rubric: { type: "binary" } as never, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.8, controlRate: 0.1 } as never }).returning({ id: campaigns.id });
    otherId = other!.id;
    const at = (d: string) => new Date(`${d}T12:00:00Z`);
    await db.insert(auditEvents).values([
      { actorId: ada, action: "membership.join", campaignId, createdAt: at("2026-03-01"), details: { role: "annotator" } },
      { actorId: ada, action: "membership.invite_claim", campaignId, createdAt: at("2026-03-02"), details: { role: "annotator" } },
      { actorId: admin, action: "membership.invite", campaignId: otherId, createdAt: at("2026-03-03"), details: { role: "auditor", long: "x".repeat(500) } },
      { actorId: admin, action: "campaign.update", campaignId: otherId, createdAt: at("2026-03-04"), details: {} },
      { actorId: null, action: "auth.signin_fail", createdAt: at("2026-03-05"), targetType: "email", targetId: "nobody@example.org" },
    ]);
    csv = ((await import("@/app/api/v1/audit.csv/route")) as unknown as { GET: Handler }).GET;
  });
  afterAll(async () => drop());

  const list = async (q: Record<string, string>) => {
    const { query, invalid } = parseAuditQueryLenient(q);
    expect(invalid).toEqual([]);
    return (await listAuditEvents(await getDb(), { ...auditFilterOf(query), limit: 100, offset: 0 })).rows.map((r) => r.action);
  };
  const exported = async (q: Record<string, string>) => {
    session.current = { user: { id: admin } };
    const res = await csv(new Request(`http://localhost/api/v1/audit.csv?${new URLSearchParams(q)}`, { headers: { host: "localhost" } }), { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    return (parse(await res.text(), { columns: true }) as { action: string; details: string }[]).map((r) => r.action);
  };

  it("filters by date range (whole UTC days, both ends inclusive)", async () => {
    expect(await list({ from: "2026-03-02", to: "2026-03-04" })).toEqual(["campaign.update", "membership.invite", "membership.invite_claim"]);
    expect(await list({ from: "2026-03-05" })).toContain("auth.signin_fail");
    expect(await list({ to: "2026-03-01" })).toEqual(["membership.join"]);
  });

  it("filters by campaign (slug), actor (email, any case) and action (exact, or a prefix ending in a dot)", async () => {
    expect(await list({ campaign: "other-campaign" })).toEqual(["campaign.update", "membership.invite"]);
    expect(await list({ actor: "ADA@margin.demo", from: "2026-01-01", to: "2026-12-31" })).toEqual(["membership.invite_claim", "membership.join"]);
    // Exact: membership.invite is not membership.invite_claim.
    expect(await list({ action: "membership.invite" })).toEqual(["membership.invite"]);
    expect(await list({ action: "membership.", from: "2026-03-01", to: "2026-03-31" })).toEqual(["membership.invite", "membership.invite_claim", "membership.join"]);
    expect(await list({ action: "membership.", campaign: "multilingual-helpfulness", actor: "ada@margin.demo", from: "2026-03-02" })).toEqual(["membership.invite_claim"]);
    expect(await list({ campaign: "no-such-campaign" })).toEqual([]);
  });

  it("keeps the full details (no cut), and drops what does not parse", async () => {
    const { rows } = await listAuditEvents(await getDb(), { ...auditFilterOf({ action: "membership.invite" }), limit: 10, offset: 0 });
    expect((rows[0]!.details as { long: string }).long).toHaveLength(500);
    expect(parseAuditQueryLenient({ from: "yesterday", to: "2026-02-30x", action: "auth." })).toEqual({ query: { action: "auth." }, invalid: ["from", "to"] });
  });

  it("exports as CSV exactly what the filters select, and records the filters", async () => {
    const q = { action: "membership.", campaign: "multilingual-helpfulness", from: "2026-03-01", to: "2026-03-02" };
    expect(await exported(q)).toEqual(await list(q));
    expect(await exported({ campaign: "other-campaign" })).toEqual(["campaign.update", "membership.invite"]);
    const db = await getDb();
    const [last] = await db.select().from(auditEvents).where(eq(auditEvents.action, "audit.export")).orderBy(auditEvents.id);
    expect(last!.details).toEqual(q);
    session.current = { user: { id: admin } };
    const badDate = await csv(new Request("http://localhost/api/v1/audit.csv?from=03/01/2026", { headers: { host: "localhost" } }), { params: Promise.resolve({}) });
    expect(badDate.status).toBe(400);
  });

  it("finds users by declared language (code or English name) and region, besides name and email", async () => {
    const db = await getDb();
    await db.update(users).set({ region: "Lagos, Nigeria" }).where(eq(users.email, "bayo@margin.demo"));
    await db.update(users).set({ region: "Nairobi", languages: ["en", "fr", "sw", "pt-BR"] }).where(eq(users.email, "ada@margin.demo"));
    const find = async (q: string) => (await listUsers(db, { q, limit: 50, offset: 0 })).rows.map((r) => r.email).sort();
    expect(await find("sw")).toEqual(["ada@margin.demo"]);
    expect(await find("Swahili")).toEqual(["ada@margin.demo"]);
    expect(await find("yoruba")).toEqual(["bayo@margin.demo"]);
    expect(await find("yo")).toEqual(["bayo@margin.demo"]);
    expect(await find("nigeria")).toEqual(["bayo@margin.demo"]);
    expect(await find("Nairobi")).toEqual(["ada@margin.demo"]);
    // A regional form: "pt" finds pt-BR (and Bayo's pt).
    expect(await find("pt")).toEqual(["ada@margin.demo", "bayo@margin.demo"]);
    // Still name and email; LIKE wildcards are literal.
    expect(await find("Bayo")).toEqual(["bayo@margin.demo"]);
    expect(await find("%")).toEqual([]);
  });
});
