// Campaign settings (gold rate, lease, consensus) through the API and the form, closing flags, gold checks, and
// the refusal to edit a rating of an item version a re-import has replaced.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, asc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { goldAccuracy, listFlagsForReview, listMyJudgments } from "@/db/queries/contributor";
import { auditEvents, campaigns, flags, itemVersions, items, judgments, users } from "@/db/schema";
import { DEMO_SLUG, seedDemo } from "@/db/seed";
import { SUPERSEDED_RATING } from "@/lib/assign/edit-judgment";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "127.0.0.1" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Json = { campaign?: Record<string, unknown>; flag?: Record<string, unknown>; error?: { code: string; message: string; field?: string } };
type ActionResult = { error?: string; code?: string; fieldErrors?: Record<string, string>; success?: string } | undefined;
type Action = (prev: unknown, fd: FormData) => Promise<ActionResult>;

async function call(handler: Handler | undefined, method: string, params: Record<string, string>, body: unknown, as: string | null) {
  session.current = as ? { user: { id: as } } : null;
  const req = new Request("http://localhost/x", {
    method,
    headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const res = await handler!(req, { params: Promise.resolve(params) });
  return { status: res.status, json: (await res.json()) as Json };
}

async function submit(fn: Action, form: Record<string, string>, as: string): Promise<ActionResult> {
  session.current = { user: { id: as } };
  const fd = new FormData();
  for (const [k, v] of Object.entries(form)) fd.set(k, v);
  return fn(undefined, fd);
}

const likert = { type: "likert", min: 1, max: 5 } as const;
const categorical = { type: "categorical", options: ["good", "bad", "ugly"] } as const;

describe.each(backends())("campaign settings, flags and superseded ratings on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let researcher = "";
  let ada = "";
  let bayo = "";
  let chen = "";
  let demoId = "";
  const routes: Record<string, Record<string, Handler>> = {};
  const actions: Record<string, Action> = {};
  let counter = 0;

  const create = (body: Record<string, unknown>) => call(routes.campaigns!.POST, "POST", {}, { name: `Settings ${++counter}`, ...body }, researcher);
  const read = (id: string) => call(routes.campaign!.GET, "GET", { id }, undefined, researcher);
  const patch = (id: string, body: unknown, as = researcher) => call(routes.campaign!.PATCH, "PATCH", { id }, body, as);
  const closeFlag = (id: string, flagId: number, body: unknown, as = researcher) => call(routes.flag!.PATCH, "PATCH", { id, flagId: String(flagId) }, body, as);
  const row = async (id: string) => (await (await getDb()).select().from(campaigns).where(eq(campaigns.id, id)))[0]!;
  const auditCount = async (campaignId: string) =>
    (await (await getDb()).select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(eq(auditEvents.campaignId, campaignId)))[0]!.n;

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId: demoId } = await seedDemo(db, { items: 80 }));
    const idOf = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
    [researcher, ada, bayo, chen] = await Promise.all(["researcher@margin.demo", "ada@margin.demo", "bayo@margin.demo", "chen@margin.demo"].map(idOf)) as [string, string, string, string];
    routes.campaigns = (await import("@/app/api/v1/campaigns/route")) as unknown as Record<string, Handler>;
    routes.campaign = (await import("@/app/api/v1/campaigns/[id]/route")) as unknown as Record<string, Handler>;
    routes.flag = (await import("@/app/api/v1/campaigns/[id]/flags/[flagId]/route")) as unknown as Record<string, Handler>;
    routes.judgment = (await import("@/app/api/campaigns/[slug]/judgments/[id]/route")) as unknown as Record<string, Handler>;
    actions.update = (await import("@/app/campaigns/[slug]/edit/actions")).updateCampaignAction as Action;
    actions.create = (await import("@/app/campaigns/new/actions")).createCampaignAction as Action;
    actions.resolveFlag = (await import("@/app/campaigns/[slug]/contributors/actions")).resolveFlagAction as Action;
  });
  afterAll(async () => {
    await drop();
  });

  it("creates a campaign with gold rate, lease and consensus and reads them back (defaults when absent)", async () => {
    const made = await create({ rubric: likert, goldRate: 0.05, leaseMinutes: 30, consensus: "mean" });
    expect(made.status).toBe(201);
    const id = made.json.campaign!.id as string;
    expect((await read(id)).json.campaign).toMatchObject({ goldRate: 0.05, leaseMinutes: 30, consensus: "mean" });
    const [created] = await (await getDb()).select().from(auditEvents).where(and(eq(auditEvents.campaignId, id), eq(auditEvents.action, "campaign.created")));
    expect(created!.details).toMatchObject({ goldRate: 0.05, leaseMinutes: 30, consensus: "mean" });

    const plain = await create({ rubric: categorical });
    expect(plain.json.campaign).toMatchObject({ goldRate: 0, leaseMinutes: 10, consensus: null });
    expect((await create({ rubric: { type: "binary", labels: ["no", "yes"] }, consensus: "median" })).status).toBe(201);
    expect((await create({ rubric: categorical, consensus: "dawid_skene" })).status).toBe(201);
  });

  it("refuses a consensus the rubric cannot take with a 400 naming consensus, and creates nothing", async () => {
    const db = await getDb();
    const before = (await db.select({ n: sql<number>`count(*)::int` }).from(campaigns))[0]!.n;
    const mean = await create({ rubric: categorical, consensus: "mean" });
    expect(mean.status).toBe(400);
    expect(mean.json.error).toMatchObject({ code: "bad_request", field: "consensus" });
    expect(mean.json.error!.message).toMatch(/Mean needs an interval scale/);
    const median = await create({ rubric: { type: "pairwise", allowTie: true }, consensus: "median" });
    expect(median.json.error).toMatchObject({ code: "bad_request", field: "consensus" });
    expect((await create({ rubric: likert, consensus: "trimmed_mean" })).json.error).toMatchObject({ field: "consensus" });
    expect((await create({ rubric: likert, goldRate: 1.5 })).json.error).toMatchObject({ field: "goldRate" });
    expect((await create({ rubric: likert, leaseMinutes: 0 })).json.error).toMatchObject({ field: "leaseMinutes" });
    expect((await create({ rubric: likert, leaseMinutes: 1441 })).json.error).toMatchObject({ field: "leaseMinutes" });
    expect((await db.select({ n: sql<number>`count(*)::int` }).from(campaigns))[0]!.n).toBe(before);
  });

  it("PATCH changes gold rate, lease and consensus: stored, audited from → to, updated_at strictly later each time", async () => {
    const id = (await create({ rubric: likert })).json.campaign!.id as string;
    const t0 = (await row(id)).updatedAt;
    const r = await patch(id, { goldRate: 0.2, leaseMinutes: 45, consensus: "dawid_skene" });
    expect(r.status).toBe(200);
    expect((await read(id)).json.campaign).toMatchObject({ goldRate: 0.2, leaseMinutes: 45, consensus: "dawid_skene" });
    const t1 = (await row(id)).updatedAt;
    expect(t1.getTime()).toBeGreaterThan(t0.getTime());
    // Two consensus edits back to back still move the report cache's watermark.
    await patch(id, { consensus: "median" });
    const t2 = (await row(id)).updatedAt;
    await patch(id, { consensus: "mean" });
    const t3 = (await row(id)).updatedAt;
    expect(t2.getTime()).toBeGreaterThan(t1.getTime());
    expect(t3.getTime()).toBeGreaterThan(t2.getTime());
    const events = await (await getDb())
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.campaignId, id), eq(auditEvents.action, "campaign.updated")))
      .orderBy(asc(auditEvents.id));
    expect(events).toHaveLength(3);
    expect(events[0]!.details).toMatchObject({
      fields: expect.arrayContaining(["goldRate", "leaseMinutes", "consensus"]),
      goldRate: { from: 0, to: 0.2 },
      leaseMinutes: { from: 10, to: 45 },
      consensus: { from: null, to: "dawid_skene" },
    });
    expect((await patch(id, { goldRate: -0.1 })).json.error).toMatchObject({ code: "bad_request", field: "goldRate" });
    expect((await patch(id, { leaseMinutes: 2.5 })).json.error).toMatchObject({ code: "bad_request", field: "leaseMinutes" });
  });

  it("PATCH checks the consensus against the rubric it will be stored with; a refused patch writes nothing", async () => {
    const id = (await create({ rubric: likert, consensus: "mean" })).json.campaign!.id as string;
    const before = await row(id);
    const audits = await auditCount(id);

    // Only the rubric changes: the stored consensus (mean) does not fit a categorical scale.
    const onlyRubric = await patch(id, { rubric: categorical, name: "Renamed in the same patch" });
    expect(onlyRubric.status).toBe(400);
    expect(onlyRubric.json.error).toMatchObject({ code: "bad_request", field: "consensus" });
    expect(onlyRubric.json.error!.message).toMatch(/Mean needs an interval scale.*together with the new rubric/);
    const after = await row(id);
    expect(after).toMatchObject({ rubric: likert, name: before.name, consensus: "mean" });
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(await auditCount(id)).toBe(audits);

    // Both in one patch, still conflicting: refused by the schema.
    expect((await patch(id, { rubric: categorical, consensus: "median" })).json.error).toMatchObject({ field: "consensus" });
    // Both in one patch, fitting: accepted.
    const both = await patch(id, { rubric: categorical, consensus: "majority" });
    expect(both.status).toBe(200);
    expect(both.json.campaign).toMatchObject({ rubric: categorical, consensus: "majority" });
    // Only the consensus changes: checked against the stored (now categorical) rubric.
    expect((await patch(id, { consensus: "mean" })).json.error).toMatchObject({ code: "bad_request", field: "consensus" });
    expect((await patch(id, { consensus: null })).json.campaign).toMatchObject({ consensus: null });
  });

  it("the settings form takes the gold rate as a percentage and shows a consensus error beside its field", async () => {
    const made = (await create({ rubric: likert })).json.campaign!;
    const form = {
      slug: made.slug as string,
      name: made.name as string,
      rubricType: "likert",
      likertMin: "1",
      likertMax: "5",
      k: "3",
      confidenceThreshold: "0.6",
      tailThreshold: "0.8",
      controlRate: "0.1",
      visibility: "public",
      goldRate: "12.5",
      leaseMinutes: "20",
      consensus: "mean",
    };
    expect(await submit(actions.update!, form, researcher)).toMatchObject({ success: expect.any(String) });
    expect(await row(made.id as string)).toMatchObject({ goldRate: 0.125, leaseMinutes: 20, consensus: "mean" });

    const bad = await submit(actions.update!, { ...form, rubricType: "categorical", categoricalOptions: "good\nbad" }, researcher);
    expect(bad?.fieldErrors?.consensus).toMatch(/Mean needs an interval scale/);
    expect(await row(made.id as string)).toMatchObject({ rubric: likert, consensus: "mean" });
    expect((await submit(actions.update!, { ...form, goldRate: "150" }, researcher))?.fieldErrors?.goldRate).toMatch(/100 %/);
    // "Rubric default" is the empty choice, stored as null.
    await submit(actions.update!, { ...form, consensus: "" }, researcher);
    expect((await row(made.id as string)).consensus).toBeNull();

    const { slug: _slug, ...newForm } = form;
    const refused = await submit(actions.create!, { ...newForm, name: "Form campaign", rubricType: "categorical", categoricalOptions: "good\nbad" }, researcher);
    expect(refused?.fieldErrors?.consensus).toMatch(/Mean needs an interval scale/);
  });

  it("image hosts: normalised, validated beside their field, changed by PATCH and the form, audited from → to, and in the page CSP", async () => {
    const made = await create({ rubric: likert, allowedImageHosts: ["Images.Example.org", "images.example.org", "upload.wikimedia.org"] });
    expect(made.status).toBe(201);
    const id = made.json.campaign!.id as string;
    const slug = made.json.campaign!.slug as string;
    expect((await row(id)).allowedImageHosts).toEqual(["images.example.org", "upload.wikimedia.org"]);
    for (const bad of ["https://evil.example/x.png", "*.example.org", "10.0.0.1", "localhost", "a b.example", "evil.example:8080"]) {
      const r = await create({ rubric: likert, allowedImageHosts: [bad] });
      expect(r.status, bad).toBe(400);
      expect(r.json.error!.field, bad).toMatch(/^allowedImageHosts/);
    }
    expect((await create({ rubric: likert, allowedImageHosts: Array.from({ length: 21 }, (_, i) => `h${i}.example.org`) })).json.error!.message).toMatch(/At most 20/);

    const { imageHostsForSlug } = await import("@/lib/campaigns/image-hosts");
    expect(await imageHostsForSlug(slug)).toEqual(["images.example.org", "upload.wikimedia.org"]);
    expect((await patch(id, { allowedImageHosts: ["cdn.example.net"] })).status).toBe(200);
    // The CSP cache of this process forgets the campaign on edit: the next page carries the new list.
    expect(await imageHostsForSlug(slug)).toEqual(["cdn.example.net"]);
    const [updated] = await (await getDb()).select().from(auditEvents).where(and(eq(auditEvents.campaignId, id), eq(auditEvents.action, "campaign.updated")));
    expect(updated!.details).toMatchObject({ allowedImageHosts: { from: ["images.example.org", "upload.wikimedia.org"], to: ["cdn.example.net"] } });

    // The form takes one host per line and reduces a pasted URL to its host; an empty box clears the list.
    const form = { slug, name: made.json.campaign!.name as string, rubricType: "likert", likertMin: "1", likertMax: "5", k: "3", confidenceThreshold: "0.6", tailThreshold: "0.8", controlRate: "0.1", visibility: "public" };
    expect(await submit(actions.update!, { ...form, allowedImageHosts: "https://upload.wikimedia.org/wikipedia/x.png\nimages.example.org" }, researcher)).toMatchObject({ success: expect.any(String) });
    expect((await row(id)).allowedImageHosts).toEqual(["upload.wikimedia.org", "images.example.org"]);
    // Field errors name the host's index (allowedImageHosts.0); the form shows them beside the box.
    const refused = await submit(actions.update!, { ...form, allowedImageHosts: "images.example.org\nnot_a_host!" }, researcher);
    expect(refused?.fieldErrors?.["allowedImageHosts.1"]).toMatch(/“not_a_host!” is not a host name/);
    expect((await row(id)).allowedImageHosts).toEqual(["upload.wikimedia.org", "images.example.org"]);
    await submit(actions.update!, { ...form, allowedImageHosts: "" }, researcher);
    expect((await row(id)).allowedImageHosts).toEqual([]);
    expect(await imageHostsForSlug("no-such-campaign")).toEqual([]);
  });

  it("closes flags: researchers resolve or dismiss once (audited), annotators are refused, other campaigns' flags are not found", async () => {
    const db = await getDb();
    const demoItems = await db.select({ id: items.id }).from(items).where(eq(items.campaignId, demoId)).orderBy(asc(items.id)).limit(2);
    const [f1, f2] = await db
      .insert(flags)
      .values([
        { campaignId: demoId, itemId: demoItems[0]!.id, userId: ada, reason: "broken" as const, note: "cut off" },
        { campaignId: demoId, itemId: demoItems[1]!.id, userId: bayo, reason: "unclear" as const },
      ])
      .returning();
    const other = (await create({ rubric: likert })).json.campaign!.id as string;
    const [otherItem] = await db.insert(items).values({ campaignId: other, externalId: "elsewhere", output: "o" }).returning();
    const [foreign] = await db.insert(flags).values({ campaignId: other, itemId: otherItem!.id, userId: ada, reason: "harmful" }).returning();

    expect((await closeFlag(demoId, f1!.id, { status: "resolved" }, ada)).status).toBe(403);
    const elsewhere = await closeFlag(demoId, foreign!.id, { status: "resolved" });
    expect(elsewhere.status).toBe(404);
    expect((await db.select().from(flags).where(eq(flags.id, foreign!.id)))[0]!.status).toBe("open");
    expect((await closeFlag(demoId, f1!.id, { status: "open" })).json.error).toMatchObject({ code: "bad_request", field: "status" });

    const ok = await closeFlag(demoId, f1!.id, { status: "resolved", note: "Fixed in the next import" });
    expect(ok.status).toBe(200);
    expect(ok.json.flag).toMatchObject({ id: f1!.id, status: "resolved", resolvedBy: researcher });
    const [stored] = await db.select().from(flags).where(eq(flags.id, f1!.id));
    expect(stored!.resolvedAt).toBeInstanceOf(Date);
    const again = await closeFlag(demoId, f1!.id, { status: "dismissed" });
    expect(again.status).toBe(409);
    expect(again.json.error!.message).toMatch(/already resolved/);
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "flag.resolved"), eq(auditEvents.targetId, String(f1!.id))));
    expect(event).toMatchObject({ actorId: researcher, campaignId: demoId, targetType: "flag" });
    expect(event!.details).toMatchObject({ status: "resolved", note: "Fixed in the next import", reason: "broken" });

    // The contributors page's action: annotators are refused, researchers dismiss with a note.
    const demoSlug = DEMO_SLUG;
    expect(await submit(actions.resolveFlag!, { slug: demoSlug, flagId: String(f2!.id), status: "dismissed" }, ada)).toMatchObject({ code: "forbidden" });
    expect(await submit(actions.resolveFlag!, { slug: demoSlug, flagId: String(f2!.id), status: "dismissed", note: "Reads fine" }, researcher)).toMatchObject({ success: "Flag dismissed." });
    expect(await submit(actions.resolveFlag!, { slug: demoSlug, flagId: String(f2!.id), status: "resolved" }, researcher)).toMatchObject({ code: "conflict" });
    expect(await submit(actions.resolveFlag!, { slug: demoSlug, flagId: String(foreign!.id), status: "resolved" }, researcher)).toMatchObject({ code: "not_found" });

    const { rows, total } = await listFlagsForReview(db, demoId, 20, 0);
    expect(total).toBe(2);
    const name = (await db.select({ name: users.name }).from(users).where(eq(users.id, researcher)))[0]!.name;
    expect(rows.find((r) => r.id === f1!.id)).toMatchObject({ status: "resolved", resolvedBy: name, resolutionNote: "Fixed in the next import", note: "cut off" });
    expect(rows.find((r) => r.id === f2!.id)).toMatchObject({ status: "dismissed", resolvedBy: name, resolutionNote: "Reads fine", resolvedAt: expect.any(String) });
  });

  it("refuses to edit a rating of a superseded item version (409, nothing changed) and marks it in the history", async () => {
    const db = await getDb();
    const mine = await db.select().from(judgments).where(and(eq(judgments.campaignId, demoId), eq(judgments.annotatorId, ada))).orderBy(asc(judgments.id)).limit(2);
    expect(mine).toHaveLength(2);
    const [old, current] = mine as [typeof mine[number], typeof mine[number]];
    // A re-import changed the first item's content: its version moved past the one ada rated.
    await db.execute(sql`update items set version = version + 1 where id = ${old.itemId}`);
    await db.insert(itemVersions).values({ itemId: old.itemId, version: old.itemVersion, campaignId: demoId, contentHash: "x", input: "The question as ada saw it", output: "old" });
    const edits = async () => (await db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(eq(auditEvents.action, "judgment.edit")))[0]!.n;
    const editsBefore = await edits();

    const value = old.value === 5 ? 4 : 5;
    const refused = await call(routes.judgment!.PATCH, "PATCH", { slug: DEMO_SLUG, id: String(old.id) }, { value }, ada);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: "conflict", message: SUPERSEDED_RATING });
    const [unchanged] = await db.select().from(judgments).where(eq(judgments.id, old.id));
    expect(unchanged).toMatchObject({ value: old.value, editCount: old.editCount });
    expect(await edits()).toBe(editsBefore);

    // A rating of the current version can still change.
    const ok = await call(routes.judgment!.PATCH, "PATCH", { slug: DEMO_SLUG, id: String(current.id) }, { value: current.value === 5 ? 4 : 5 }, ada);
    expect(ok.status).toBe(200);
    expect(await edits()).toBe(editsBefore + 1);

    const { rows } = await listMyJudgments(db, demoId, ada, 500, 0);
    expect(rows.find((r) => r.id === old.id)).toMatchObject({ superseded: true, input: "The question as ada saw it" });
    expect(rows.find((r) => r.id === current.id)).toMatchObject({ superseded: false });
  });

  it("gold checks: items, answers on their current version, overall and per-item accuracy, capped", async () => {
    const db = await getDb();
    const id = (await create({ rubric: likert, goldRate: 0.1 })).json.campaign!.id as string;
    const made = await db
      .insert(items)
      .values([
        { campaignId: id, externalId: "g1", output: "o", goldAnswer: 4 },
        { campaignId: id, externalId: "g2", output: "o", goldAnswer: 2, version: 2 },
        { campaignId: id, externalId: "g3", output: "o", goldAnswer: 5 },
        { campaignId: id, externalId: "plain", output: "o" },
      ])
      .returning({ id: items.id, externalId: items.externalId });
    const idOf = (e: string) => made.find((m) => m.externalId === e)!.id;
    await db.insert(judgments).values([
      { campaignId: id, itemId: idOf("g1"), annotatorId: ada, value: 4 },
      { campaignId: id, itemId: idOf("g1"), annotatorId: bayo, value: 4 },
      { campaignId: id, itemId: idOf("g1"), annotatorId: chen, value: 3 },
      { campaignId: id, itemId: idOf("g2"), annotatorId: ada, value: 1, itemVersion: 2 },
      { campaignId: id, itemId: idOf("g2"), annotatorId: bayo, value: 2, itemVersion: 2 },
      // On the version before the re-import: not a check of the current content.
      { campaignId: id, itemId: idOf("g2"), annotatorId: chen, value: 2, itemVersion: 1 },
      { campaignId: id, itemId: idOf("plain"), annotatorId: ada, value: 3 },
    ]);
    const gold = await goldAccuracy(db, id, 2);
    expect(gold).toMatchObject({ items: 3, answers: 5, correct: 3 });
    expect(gold.rows).toEqual([
      { itemId: idOf("g2"), externalId: "g2", goldAnswer: 2, answers: 2, correct: 1 },
      { itemId: idOf("g1"), externalId: "g1", goldAnswer: 4, answers: 3, correct: 2 },
    ]);
    expect((await goldAccuracy(db, id, 50)).rows.map((r) => r.externalId)).toEqual(["g2", "g1", "g3"]);
    expect(await goldAccuracy(db, demoId, 50)).toEqual({ items: 0, answers: 0, correct: 0, rows: [] });
  });
});
