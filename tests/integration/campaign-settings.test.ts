// Campaign settings (gold rate, lease, consensus) through the API and the form, closing flags, gold checks, and
// the refusal to edit a rating of an item version a re-import has replaced.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, asc, eq, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { goldAccuracy, listFlagsForReview, listMyJudgments } from "@/db/queries/contributor";
import { auditEvents, campaigns, flags, itemVersions, items, judgments, routingRuns, users } from "@/db/schema";
import { DEMO_SLUG, seedDemo } from "@/db/seed";
import { SUPERSEDED_RATING } from "@/lib/assign/edit-judgment";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "127.0.0.1" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Json = { campaign?: Record<string, unknown>; flag?: Record<string, unknown>; routing?: unknown; error?: { code: string; message: string; field?: string; fields?: Record<string, string> } };
type ActionResult = { error?: string; code?: string; fieldErrors?: Record<string, string>; success?: string; values?: Record<string, string> } | undefined;
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
const rules = { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 };

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
  /** A campaign with `pool` routable (non-gold) items and two gold ones. */
  const withPool = async (pool: number, body: Record<string, unknown> = {}) => {
    const made = (await create({ rubric: likert, ...body })).json.campaign!;
    const db = await getDb();
    await db.insert(items).values([
      ...Array.from({ length: pool }, (_, i) => ({ campaignId: made.id as string, externalId: `p${i}`, input: `Question ${i}`, output: `Answer number ${i}`, judgeScore: 3, judgeConfidence: 0.3 + (i % 7) / 10 })),
      { campaignId: made.id as string, externalId: "gold-1", output: "g", goldAnswer: 4 },
      { campaignId: made.id as string, externalId: "gold-2", output: "g", goldAnswer: 2 },
    ]);
    return made;
  };
  const auditsOf = async (campaignId: string, action: string) =>
    (await getDb()).select().from(auditEvents).where(and(eq(auditEvents.campaignId, campaignId), eq(auditEvents.action, action))).orderBy(asc(auditEvents.id));

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
    const [created] = await (await getDb()).select().from(auditEvents).where(and(eq(auditEvents.campaignId, id), eq(auditEvents.action, "campaign.create")));
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
      .where(and(eq(auditEvents.campaignId, id), eq(auditEvents.action, "campaign.update")))
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
    const [updated] = await (await getDb()).select().from(auditEvents).where(and(eq(auditEvents.campaignId, id), eq(auditEvents.action, "campaign.update")));
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
    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "flag.resolve"), eq(auditEvents.targetId, String(f1!.id))));
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

  it("adaptive k and the routing policy fields: created, read back and audited; bad values are a 400 naming every failing field", async () => {
    const policy = { kind: "escalate", ...rules, trustTarget: 0.85, trustDelta: 0.05 };
    const made = await create({ rubric: likert, k: 4, kMin: 2, agreeDistance: 1, routingPolicy: policy });
    expect(made.status).toBe(201);
    const id = made.json.campaign!.id as string;
    expect((await read(id)).json.campaign).toMatchObject({ k: 4, kMin: 2, agreeDistance: 1, routingPolicy: policy });
    expect((await auditsOf(id, "campaign.create"))[0]!.details).toMatchObject({ k: 4, kMin: 2, agreeDistance: 1, routingPolicy: policy });
    // Absent: a fixed k, distance 0.
    expect((await create({ rubric: likert })).json.campaign).toMatchObject({ kMin: null, agreeDistance: 0 });

    const db = await getDb();
    const before = (await db.select({ n: sql<number>`count(*)::int` }).from(campaigns))[0]!.n;
    const refused = async (body: Record<string, unknown>, fields: string[], message?: RegExp) => {
      const r = await create({ rubric: likert, ...body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error, JSON.stringify(body)).toMatchObject({ code: "bad_request", field: fields[0] });
      expect(Object.keys(r.json.error!.fields ?? {}).sort(), JSON.stringify(body)).toEqual([...fields].sort());
      if (message) expect(r.json.error!.message).toMatch(message);
    };
    await refused({ k: 3, kMin: 4 }, ["kMin"], /k_min \(4\) must be at most k \(3\)/);
    await refused({ kMin: 5 }, ["kMin"]); // against the default k = 3
    await refused({ kMin: 0 }, ["kMin"]);
    await refused({ kMin: 1.5 }, ["kMin"]);
    await refused({ rubric: categorical, agreeDistance: 1 }, ["agreeDistance"], /Likert scales only/);
    await refused({ agreeDistance: -1 }, ["agreeDistance"]);
    await refused({ routingPolicy: { ...rules, kind: "active", budget: 10, piMin: 0 } }, ["routingPolicy.piMin"], /π_min must be greater than 0/);
    await refused({ routingPolicy: { ...rules, kind: "active", budget: 10, piMin: 1.5 } }, ["routingPolicy.piMin"], /π_min must be at most 1/);
    await refused({ routingPolicy: { ...rules, kind: "active" } }, ["routingPolicy.budget", "routingPolicy.piMin"], /per-round budget/);
    await refused({ routingPolicy: { ...rules, kind: "active", piMin: 0.1 } }, ["routingPolicy.budget"]);
    await refused({ routingPolicy: { ...rules, kind: "active", budget: 5 } }, ["routingPolicy.piMin"]);
    await refused({ routingPolicy: { ...rules, trustTarget: 1 } }, ["routingPolicy.trustTarget"], /between 0 and 1/);
    await refused({ routingPolicy: { ...rules, trustTarget: 0 } }, ["routingPolicy.trustTarget"]);
    await refused({ routingPolicy: { ...rules, trustDelta: 0 } }, ["routingPolicy.trustDelta"]);
    await refused({ routingPolicy: { ...rules, trustTarget: 1.5, trustDelta: 1 } }, ["routingPolicy.trustTarget", "routingPolicy.trustDelta"]);
    await refused({ routingPolicy: { ...rules, kind: "bandit" } }, ["routingPolicy.kind"]);
    expect((await db.select({ n: sql<number>`count(*)::int` }).from(campaigns))[0]!.n).toBe(before);
  });

  it("PATCH checks a new policy against the campaign's pool and k_min against the stored k; a refused patch writes nothing", async () => {
    const made = await withPool(10, { k: 3 });
    const id = made.id as string;
    const before = await row(id);
    const audits = await auditCount(id);
    const refused = async (body: Record<string, unknown>, fields: string[], message?: RegExp) => {
      const r = await patch(id, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error, JSON.stringify(body)).toMatchObject({ code: "bad_request", field: fields[0] });
      expect(Object.keys(r.json.error!.fields ?? {}).sort(), JSON.stringify(body)).toEqual([...fields].sort());
      if (message) expect(r.json.error!.message, JSON.stringify(body)).toMatch(message);
    };
    // 10 routable items (the 2 gold ones do not count).
    await refused({ routingPolicy: { ...rules, budget: 11 } }, ["routingPolicy.budget"], /budget \(11\) is larger than the pool.*10 item/);
    await refused({ routingPolicy: { ...rules, kind: "active", budget: 11, piMin: 0.01 } }, ["routingPolicy.budget"]);
    // π_min × pool = 0.6 × 10 = 6 > 5: the floor alone exceeds the budget.
    await refused({ routingPolicy: { ...rules, kind: "active", budget: 5, piMin: 0.6 } }, ["routingPolicy.piMin"], /floor alone would exceed the budget.*at most 0\.5/);
    await refused({ routingPolicy: { ...rules, kind: "active", budget: 12, piMin: 1 } }, ["routingPolicy.budget"]);
    await refused({ routingPolicy: { ...rules, kind: "active", budget: 20, piMin: 0 } }, ["routingPolicy.piMin"]);
    await refused({ kMin: 4 }, ["kMin"], /at most k \(3\)/);
    await refused({ k: 2, kMin: 3 }, ["kMin"]);
    await refused({ agreeDistance: -0.5 }, ["agreeDistance"]);
    // Several at once, from the stored values: k_min above k and a budget above the pool, both named.
    await refused({ kMin: 5, routingPolicy: { ...rules, budget: 50 } }, ["kMin", "routingPolicy.budget"]);
    const after = await row(id);
    expect(after).toMatchObject({ routingPolicy: before.routingPolicy, routingPolicyVersion: 1, kMin: null });
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(await auditCount(id)).toBe(audits);

    // Within the pool: accepted, the version bumped, audited from → to.
    const active = { ...rules, kind: "active", budget: 10, piMin: 0.5 };
    const ok = await patch(id, { routingPolicy: active, kMin: 2, agreeDistance: 1 });
    expect(ok.status).toBe(200);
    expect(ok.json.campaign).toMatchObject({ routingPolicy: active, routingPolicyVersion: 2, kMin: 2, agreeDistance: 1 });
    const changed = await auditsOf(id, "campaign.policy_change");
    expect(changed).toHaveLength(1);
    expect(changed[0]!.details).toMatchObject({ from: rules, to: active, version: 2 });
    expect((await auditsOf(id, "campaign.update"))[0]!.details).toMatchObject({ kMin: { from: null, to: 2 }, agreeDistance: { from: 0, to: 1 } });
    // The same policy again, keys in another order (jsonb keeps its own): no new version, no audit event.
    const same = await patch(id, { routingPolicy: { piMin: 0.5, budget: 10, kind: "active", controlRate: 0.1, tailThreshold: 0.8, confidenceThreshold: 0.6 } });
    expect(same.json.campaign).toMatchObject({ routingPolicyVersion: 2 });
    expect(await auditsOf(id, "campaign.policy_change")).toHaveLength(1);
    // Back to a fixed k.
    expect((await patch(id, { kMin: null })).json.campaign).toMatchObject({ kMin: null });
  });

  it("the settings form: routing policy and adaptive k fields, each error beside its field, every typed value kept", async () => {
    const made = await withPool(10);
    const id = made.id as string;
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
      routingKind: "active",
      budget: "8",
      piMin: "0.1",
      trustTarget: "0.8",
      trustDelta: "0.05",
      kMin: "2",
      agreeDistance: "1",
    };
    const refusedBeside = async (over: Record<string, string>, fields: string[], message?: RegExp) => {
      const r = await submit(actions.update!, { ...form, ...over }, researcher);
      expect(Object.keys(r?.fieldErrors ?? {}).sort(), JSON.stringify(over)).toEqual([...fields].sort());
      if (message) expect(r!.fieldErrors![fields[0]!], JSON.stringify(over)).toMatch(message);
      // What the person typed comes back, so the form shows it again.
      expect(r?.values).toMatchObject({ ...form, ...over });
    };
    await refusedBeside({ budget: "50" }, ["routingPolicy.budget"], /larger than the pool/);
    await refusedBeside({ budget: "5", piMin: "0.6" }, ["routingPolicy.piMin"], /floor alone would exceed the budget/);
    await refusedBeside({ piMin: "0" }, ["routingPolicy.piMin"], /greater than 0/);
    await refusedBeside({ piMin: "2" }, ["routingPolicy.piMin"], /at most 1/);
    await refusedBeside({ budget: "", piMin: "" }, ["routingPolicy.budget", "routingPolicy.piMin"], /budget/);
    await refusedBeside({ kMin: "4" }, ["kMin"], /at most k \(3\)/);
    await refusedBeside({ trustTarget: "1" }, ["routingPolicy.trustTarget"], /between 0 and 1/);
    await refusedBeside({ trustDelta: "-0.1", trustTarget: "0" }, ["routingPolicy.trustDelta", "routingPolicy.trustTarget"]);
    expect(await row(id)).toMatchObject({ routingPolicyVersion: 1, kMin: null, agreeDistance: 0 });

    expect(await submit(actions.update!, form, researcher)).toMatchObject({ success: expect.stringMatching(/re-routed/) });
    expect(await row(id)).toMatchObject({
      routingPolicy: { kind: "active", ...rules, budget: 8, piMin: 0.1, trustTarget: 0.8, trustDelta: 0.05 },
      routingPolicyVersion: 2,
      kMin: 2,
      agreeDistance: 1,
    });
    // The same form again changes nothing (the stored policy comes back from jsonb in another key order).
    expect(await submit(actions.update!, form, researcher)).toMatchObject({ success: "Saved." });
    expect((await row(id)).routingPolicyVersion).toBe(2);
    // Rules: π_min belongs to the active policy and is not kept; an empty k_min box is a fixed k.
    await submit(actions.update!, { ...form, routingKind: "rules", kMin: "" }, researcher);
    const stored = await row(id);
    expect(stored.routingPolicy).toEqual({ kind: "rules", ...rules, budget: 8, trustTarget: 0.8, trustDelta: 0.05 });
    expect(stored).toMatchObject({ routingPolicyVersion: 3, kMin: null });
    // The create form takes the same fields.
    const { slug: _slug, ...newForm } = form;
    const created = await submit(actions.create!, { ...newForm, name: "Form with a bad k_min", kMin: "7" }, researcher);
    expect(created?.fieldErrors?.kMin).toMatch(/at most k/);
  });

  it("a policy change after a routing run applies from the next run: the run keeps the policy it used, the change is audited", async () => {
    const made = await withPool(12);
    const id = made.id as string;
    const db = await getDb();
    const { runRouting } = await import("@/lib/routing/run-routing");
    await runRouting(db, id, { actorId: researcher });
    const [run1] = await db.select().from(routingRuns).where(eq(routingRuns.campaignId, id));
    expect(run1).toMatchObject({ policy: rules, policyVersion: 1 });

    const next = { ...rules, controlRate: 0.5, trustTarget: 0.95 };
    const r = await patch(id, { routingPolicy: next });
    expect(r.status).toBe(200);
    expect(r.json.campaign).toMatchObject({ routingPolicy: next, routingPolicyVersion: 2 });
    expect(r.json.routing).not.toBeNull();
    const { settleRouting } = await import("@/lib/routing/schedule");
    await settleRouting();
    // Insert-only: the first run's record of its policy is what it was.
    const [again] = await db.select().from(routingRuns).where(eq(routingRuns.id, run1!.id));
    expect(again).toMatchObject({ policy: rules, policyVersion: 1 });
    // Any later run used the new policy.
    const later = (await db.select().from(routingRuns).where(eq(routingRuns.campaignId, id))).filter((x) => x.id !== run1!.id);
    for (const x of later) expect(x).toMatchObject({ policy: next, policyVersion: 2 });
    const [event] = await auditsOf(id, "campaign.policy_change");
    expect(event).toMatchObject({ actorId: researcher, targetType: "campaign", targetId: id });
    expect(event!.details).toMatchObject({ from: rules, to: next, version: 2 });
  });
});
