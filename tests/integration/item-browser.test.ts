// The item browser (docs/item-browser.md): every facet against a reference computed in memory from the same rows,
// every sort key in both directions paged through its cursor (stable, no row twice or missing), the 400s of the API
// (unknown facet, unknown sort key, another filter's cursor), the page's lenient fallbacks, one item's detail with
// raters as pseudonyms, idempotent flag resolution, and who may read any of it.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq } from "drizzle-orm";
import { getDb, type Db } from "@/db";
import { auditEvents, campaignMembers, campaigns, flags, inclusionRecords, itemVersions, items, judgments, routingRuns, users, type Campaign } from "@/db/schema";
import { browseCampaign, browseItemsLenient, browseItemsStrict, runBrowse, parseBrowseParams, type BrowseQuery, SORT_KEYS } from "@/lib/browse";
import { itemConsensus, numericScale } from "@/lib/report/units";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "127.0.0.1" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
type Json = Record<string, unknown> & { error?: { code: string; message: string; field?: string } };

const N = 64;
const LANGS = ["en", "en", "en", "es", "es", "sw", "fo", "ar"];
const SOURCES = ["web", "book", "chat"];
const REASONS = [null, null, "control", "tail", "low_confidence", "active"] as const;

/** The rows as inserted: the reference every facet is checked against. */
type Seeded = {
  id: number;
  externalId: string;
  language: string;
  source: string;
  turns: number;
  tail: number | null;
  confidence: number | null;
  judge: number | null;
  reason: (typeof REASONS)[number];
  pi: number | null;
  version: number;
  ratings: number[];
  openFlag: boolean;
  anyFlag: boolean;
  updatedAt: Date;
};

describe.each(backends())("item browser on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let db: Db;
  let campaign: Campaign;
  const ids = {} as Record<"owner" | "auditor" | "annotator" | "outsider" | "rater1" | "rater2" | "rater3" | "excluded", string>;
  const seeded: Seeded[] = [];
  const routes: Record<string, Record<string, Handler>> = {};

  const call = async (handler: Handler, params: Record<string, string>, query: string, as: string | null, init: RequestInit = {}) => {
    session.current = as ? { user: { id: as } } : null;
    const res = await handler(new Request(`http://localhost/x${query ? `?${query}` : ""}`, { headers: { host: "localhost" }, ...init }), { params: Promise.resolve(params) });
    return { status: res.status, json: (await res.json()) as Json };
  };
  const list = (query: string, as: string | null = ids.owner) => call(routes.list!.GET!, { id: campaign.id }, query, as);
  const detail = (itemId: string, as: string | null = ids.owner) => call(routes.detail!.GET!, { id: campaign.id, itemId }, "", as);

  /** Every row of a query, following next_cursor, through the API. */
  async function allPages(query: string, limit = 7): Promise<string[]> {
    const out: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const r = await list(`${query}${query ? "&" : ""}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      const rows = r.json.items as { external_id: string }[];
      expect(rows.length).toBeLessThanOrEqual(limit);
      out.push(...rows.map((x) => x.external_id));
      cursor = r.json.next_cursor as string | null;
      if (!cursor) return out;
    }
    throw new Error("too many pages");
  }

  const median = (values: number[]) => {
    const codes = values.map((v) => v - 1).sort((a, b) => a - b);
    return itemConsensus("median", codes, values.map((v) => v - 1), numericScale({ type: "likert", min: 1, max: 5 })).code + 1;
  };
  const byId = (rows: Seeded[]) => rows.sort((a, b) => a.id - b.id).map((r) => r.externalId);

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    db = await getDb();
    const people = await db
      .insert(users)
      .values((Object.keys({ owner: 1, auditor: 1, annotator: 1, outsider: 1, rater1: 1, rater2: 1, rater3: 1, excluded: 1 }) as (keyof typeof ids)[]).map((k) => ({ email: `${k}@browse.test`, name: `Person ${k}`, role: k === "owner" || k === "outsider" ? ("researcher" as const) : ("contributor" as const) })))
      .returning({ id: users.id, email: users.email });
    for (const p of people) ids[p.email.split("@")[0] as keyof typeof ids] = p.id;
    [campaign] = await db
      .insert(campaigns)
      .values({ slug: "browse-study", name: "Browse study", rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: defaultRoutingPolicy, ownerId: ids.owner, status: "active", visibility: "invite", stratificationKey: "language" })
      .returning() as [Campaign];
    await db.insert(campaignMembers).values([
      { campaignId: campaign.id, userId: ids.owner, role: "owner" },
      { campaignId: campaign.id, userId: ids.auditor, role: "auditor" },
      { campaignId: campaign.id, userId: ids.annotator, role: "annotator" },
      { campaignId: campaign.id, userId: ids.rater1, role: "annotator" },
      { campaignId: campaign.id, userId: ids.rater2, role: "annotator" },
      { campaignId: campaign.id, userId: ids.rater3, role: "annotator" },
      { campaignId: campaign.id, userId: ids.excluded, role: "annotator", excludedFromReports: true },
    ]);
    const base = Date.UTC(2026, 10, 1);
    const rows = Array.from({ length: N }, (_, i) => {
      const reason = REASONS[i % REASONS.length]!;
      return {
        campaignId: campaign.id,
        externalId: `it-${String((i * 37) % N).padStart(3, "0")}`,
        input: i === 5 ? "ما هي عاصمة فرنسا؟" : `Question ${i}`,
        output: `Answer ${i}`,
        metadata: { language: LANGS[i % LANGS.length]!, source: SOURCES[i % 3]!, turns: 1 + (i % 4) },
        group: LANGS[i % LANGS.length]!,
        tailScore: i % 11 === 0 ? null : Math.round(((i * 0.137) % 1) * 1000) / 1000,
        judgeConfidence: i % 13 === 0 ? null : Math.round(((i * 0.291) % 1) * 1000) / 1000,
        judgeScore: i % 17 === 0 ? null : 1 + (i % 5),
        judgeRationale: `Judge rationale ${i}`,
        routed: reason !== null,
        routeReason: reason,
        inclusionProb: reason === null ? (i % 7 === 0 ? null : 0.1) : reason === "control" ? 0.1 : reason === "active" ? 0.45 : 1,
        version: i % 9 === 0 ? 2 : 1,
        // Ties on purpose: every sort must page through equal values without losing or repeating a row.
        updatedAt: new Date(base + Math.floor(i / 3) * 60_000),
      };
    });
    const inserted = await db.insert(items).values(rows).returning({ id: items.id, externalId: items.externalId });
    const raters = [ids.rater1, ids.rater2, ids.rater3];
    const judgmentRows: (typeof judgments.$inferInsert)[] = [];
    inserted.forEach((it, i) => {
      const r = rows[i]!;
      const s: Seeded = {
        id: it.id,
        externalId: it.externalId,
        language: r.metadata.language,
        source: r.metadata.source,
        turns: r.metadata.turns,
        tail: r.tailScore,
        confidence: r.judgeConfidence,
        judge: r.judgeScore,
        reason: r.routeReason,
        pi: r.inclusionProb,
        version: r.version,
        ratings: [],
        openFlag: i % 10 === 3,
        anyFlag: i % 10 === 3 || i % 10 === 7,
        updatedAt: r.updatedAt,
      };
      if (r.routed && i % 4 !== 1) {
        const m = 1 + (i % 3);
        for (let k = 0; k < m; k++) {
          const value = 1 + ((i + k * (i % 2 === 0 ? 1 : 2)) % 5);
          judgmentRows.push({ campaignId: campaign.id, itemId: it.id, annotatorId: raters[k]!, value, itemVersion: r.version, rationale: k === 0 ? `Rater rationale ${i}` : null });
          s.ratings.push(value);
        }
        // Not counted: an excluded rater, and a rating of the replaced version.
        judgmentRows.push({ campaignId: campaign.id, itemId: it.id, annotatorId: ids.excluded, value: 5, itemVersion: r.version });
        if (r.version === 2) judgmentRows.push({ campaignId: campaign.id, itemId: it.id, annotatorId: ids.rater1, value: 1, itemVersion: 1 });
      }
      seeded.push(s);
    });
    await db.insert(judgments).values(judgmentRows);
    for (const s of seeded) {
      if (s.ratings.length) await db.update(items).set({ judgmentCount: s.ratings.length }).where(eq(items.id, s.id));
    }
    await db.insert(itemVersions).values(seeded.filter((s) => s.version === 2).map((s) => ({ itemId: s.id, version: 1, campaignId: campaign.id, contentHash: "old", input: "Old question", output: "Old answer", judgeScore: 2 })));
    await db.insert(flags).values(seeded.filter((s) => s.anyFlag).map((s) => ({ campaignId: campaign.id, itemId: s.id, userId: ids.rater1, reason: "broken" as const, note: "Looks cut off", status: s.openFlag ? ("open" as const) : ("dismissed" as const) })));
    const [run] = await db.insert(routingRuns).values({ campaignId: campaign.id, seed: "s", policy: defaultRoutingPolicy, policyVersion: 1, itemsTotal: N, itemsRouted: 40 }).returning();
    await db.insert(inclusionRecords).values(seeded.map((s) => ({ runId: run!.id, itemId: s.id, itemVersion: s.version, group: s.language, tail: s.tail, judged: s.judge !== null, routePi: s.pi ?? 0.1, u: 0.05, routed: s.reason !== null, inSample: s.reason !== null, pi: s.pi ?? 0.1, reason: s.reason })));
    routes.list = (await import("@/app/api/v1/campaigns/[id]/items/route")) as unknown as Record<string, Handler>;
    routes.detail = (await import("@/app/api/v1/campaigns/[id]/items/[itemId]/route")) as unknown as Record<string, Handler>;
    routes.flag = (await import("@/app/api/v1/campaigns/[id]/flags/[flagId]/route")) as unknown as Record<string, Handler>;
  });
  afterAll(async () => {
    await drop();
  });

  const consensusOf = (s: Seeded) => (s.ratings.length ? median(s.ratings) : null);
  const inRange = (x: number | null, lo: number | null, hi: number | null) => x !== null && (lo === null || x >= lo) && (hi === null || x < hi);
  const FACETS: [string, (s: Seeded) => boolean][] = [
    ["meta.language=sw", (s) => s.language === "sw"],
    ["meta.language=nope", () => false],
    ["meta.source=book", (s) => s.source === "book"],
    ["meta.turns=3", (s) => s.turns === 3],
    ["tail=0.5..0.8", (s) => inRange(s.tail, 0.5, 0.8)],
    ["tail=0.9..", (s) => inRange(s.tail, 0.9, null)],
    ["tail=..0.2", (s) => inRange(s.tail, null, 0.2)],
    ["tail=none", (s) => s.tail === null],
    ["pi=1", (s) => s.pi === 1],
    ["pi=..1", (s) => s.pi !== null && s.pi < 1],
    ["pi=none", (s) => s.pi === null],
    ["confidence=0.3..0.6", (s) => inRange(s.confidence, 0.3, 0.6)],
    ["confidence=none", (s) => s.confidence === null],
    ["reason=tail", (s) => s.reason === "tail"],
    ["reason=none", (s) => s.reason === null],
    ["reason=gold", () => false],
    ["judge=3", (s) => s.judge === 3],
    ["judge=none", (s) => s.judge === null],
    ["consensus=2", (s) => consensusOf(s) === 2],
    ["consensus=none", (s) => consensusOf(s) === null],
    ["agree=yes", (s) => consensusOf(s) !== null && s.judge !== null && consensusOf(s) === s.judge],
    ["agree=no", (s) => consensusOf(s) !== null && s.judge !== null && consensusOf(s) !== s.judge],
    ["flags=open", (s) => s.openFlag],
    ["flags=any", (s) => s.anyFlag],
    ["changed=yes", (s) => s.version > 1],
    ["changed=no", (s) => s.version === 1],
  ];

  it("answers every facet, alone and with another, with exactly the matching items in id order", async () => {
    for (const [q, match] of FACETS) {
      const expected = byId(seeded.filter(match));
      // The data set gives every facet something to find, except the two that name nothing on purpose.
      if (!["meta.language=nope", "reason=gold"].includes(q)) expect(expected.length, q).toBeGreaterThan(0);
      expect(await allPages(q, 50), q).toEqual(expected);
    }
    // Two facets: each pair of a few, including the consensus facets with a selective partner (evaluated item by item).
    const more: [string, (s: Seeded) => boolean][] = [["meta.language=en", (s) => s.language === "en"], ["reason=control", (s) => s.reason === "control"], ["consensus=3", (s) => consensusOf(s) === 3], ["tail=0.5..", (s) => inRange(s.tail, 0.5, null)]];
    const picks = new Map<string, (s: Seeded) => boolean>([...more, ...FACETS.filter(([q]) => q === "agree=no" || q === "flags=any")]);
    for (const [a, fa] of picks) {
      for (const [b, fb] of picks) {
        if (a >= b) continue;
        expect(await allPages(`${a}&${b}`, 5), `${a}&${b}`).toEqual(byId(seeded.filter((s) => fa(s) && fb(s))));
      }
    }
  });

  it("evaluates the consensus facets the same way rating by rating as item by item, under every sort", async () => {
    const bc = browseCampaign(campaign);
    const all = async (q: string, itemDrivenMax: number) => {
      const out: string[] = [];
      let search = `${q}&limit=4`;
      for (let i = 0; i < 100; i++) {
        const { query } = parseBrowseParams(new URLSearchParams(search), bc);
        const r = await runBrowse(db, bc, query, { itemDrivenMax });
        out.push(...r.rows.map((x) => x.externalId));
        if (!r.nextCursor) return out;
        search = `${q}&limit=4&cursor=${r.nextCursor}`;
      }
      throw new Error("too many pages");
    };
    for (const q of ["agree=no&meta.language=en", "consensus=3&reason=control", "agree=yes&flags=any", "consensus=2&tail=0.5..", "agree=no&sort=tail&dir=desc", "consensus=3&sort=updated", "agree=yes&dir=desc", "consensus=none&reason=tail"]) {
      const ratings = await all(q, 0);
      expect(ratings, q).toEqual(await all(q, 10_000));
      expect(ratings.length, q).toBeGreaterThan(0);
    }
  });

  it("pages through every sort key in both directions: stable order with the id as tiebreak, no row twice or missing", async () => {
    const key = (s: Seeded, sort: string): number | string => {
      switch (sort) {
        case "external_id":
          return s.externalId;
        case "tail":
          return s.tail ?? -1;
        case "confidence":
          return s.confidence ?? -1;
        case "judgments":
          return s.ratings.length;
        case "updated":
          return s.updatedAt.getTime();
        default:
          return s.id;
      }
    };
    for (const sort of SORT_KEYS) {
      for (const dir of ["asc", "desc"] as const) {
        const expected = [...seeded]
          .sort((a, b) => {
            const [x, y] = [key(a, sort), key(b, sort)];
            const c = x < y ? -1 : x > y ? 1 : a.id - b.id;
            return dir === "asc" ? c : -c;
          })
          .map((s) => s.externalId);
        expect(await allPages(`sort=${sort}&dir=${dir}`, 6), `${sort} ${dir}`).toEqual(expected);
        // With a filter too.
        expect(await allPages(`sort=${sort}&dir=${dir}&reason=none`, 4), `${sort} ${dir} filtered`).toEqual(expected.filter((x) => seeded.find((s) => s.externalId === x)!.reason === null));
      }
    }
  });

  it("keeps a cursor's place when items are added before and after it", async () => {
    const first = await list("limit=10");
    const cursor = first.json.next_cursor as string;
    const before = await allPages("", 10);
    // An item with a lower external id but a higher numeric id: appears after the cursor in id order.
    await db.insert(items).values({ campaignId: campaign.id, externalId: "it-000a", output: "late", metadata: { language: "en" }, group: "en" });
    const second = await list(`limit=10&cursor=${cursor}`);
    expect((second.json.items as { external_id: string }[]).map((x) => x.external_id)).toEqual(before.slice(10, 20));
    expect((await allPages("", 10)).at(-1)).toBe("it-000a");
    await db.delete(items).where(and(eq(items.campaignId, campaign.id), eq(items.externalId, "it-000a")));
  });

  it("answers an unknown facet, an unknown sort key, a bad value and another filter's cursor with a 400 naming it", async () => {
    expect((await list("colour=red")).json.error).toMatchObject({ code: "bad_request", field: "colour" });
    expect((await list("colour=red")).status).toBe(400);
    expect((await list("sort=colour")).json.error).toMatchObject({ code: "bad_request", field: "sort" });
    expect((await list("tail=high")).json.error).toMatchObject({ code: "bad_request", field: "tail" });
    expect((await list("judge=7")).json.error).toMatchObject({ code: "bad_request", field: "judge" });
    expect((await list("limit=5000")).json.error).toMatchObject({ code: "bad_request", field: "limit" });
    const other = await list("reason=none&limit=3");
    const cursor = other.json.next_cursor as string;
    expect(cursor).toBeTruthy();
    const foreign = await list(`reason=tail&cursor=${cursor}`);
    expect(foreign.status).toBe(400);
    expect(foreign.json.error).toMatchObject({ code: "bad_request", field: "cursor" });
    expect((await list(`reason=none&sort=tail&cursor=${cursor}`)).json.error).toMatchObject({ field: "cursor" });
    expect((await list("cursor=not-a-cursor!")).json.error).toMatchObject({ field: "cursor" });
    // The same filter in another order of parameters is the same filter.
    expect((await list(`limit=3&reason=none&cursor=${cursor}`)).status).toBe(200);
  });

  it("the page's reading falls back to the unfiltered list, or to the first page, and says why", async () => {
    const bc = browseCampaign(campaign);
    const unknown = await browseItemsLenient(db, bc, { colour: "red", reason: "tail" });
    expect(unknown.reset).toBe("filter");
    expect(unknown.issues[0]).toMatchObject({ field: "colour", kind: "unknown_facet" });
    expect(unknown.query.filter).toEqual({ meta: [] });
    expect(unknown.rows.length).toBe(50);
    const badSort = await browseItemsLenient(db, bc, { sort: "colour" });
    expect(badSort.reset).toBe("filter");
    const page1 = await runBrowse(db, bc, parseBrowseParams(new URLSearchParams("reason=none&limit=3"), bc).query);
    const foreign = await browseItemsLenient(db, bc, { reason: "tail", cursor: page1.nextCursor! });
    expect(foreign.reset).toBe("cursor");
    expect(foreign.query.filter.reason).toBe("tail");
    expect(foreign.rows[0]!.externalId).toBe(byId(seeded.filter((s) => s.reason === "tail"))[0]);
    await expect(browseItemsStrict(db, bc, new URLSearchParams("colour=red"))).rejects.toMatchObject({ code: "bad_request" });
  });

  it("counts matches up to the cap, and rows carry consensus, agreement and flags", async () => {
    const r = await list("meta.language=en");
    expect(r.json.count).toEqual({ value: seeded.filter((s) => s.language === "en").length, capped: false });
    expect((await list("agree=no")).json.count).toBeNull();
    const rows = (await list("limit=200")).json.items as Record<string, unknown>[];
    for (const s of seeded) {
      const row = rows.find((x) => x.external_id === s.externalId)!;
      expect(row, s.externalId).toMatchObject({ id: s.id, group: s.language, consensus: consensusOf(s), ratings: s.ratings.length, open_flags: s.openFlag ? 1 : 0, flags: s.anyFlag ? 1 : 0, version: s.version, judge_score: s.judge });
      expect(row.agree).toBe(consensusOf(s) === null || s.judge === null ? null : consensusOf(s) === s.judge);
      expect(row.url).toBe(`/campaigns/browse-study/items/${s.externalId}`);
    }
    const q: BrowseQuery = parseBrowseParams(new URLSearchParams(""), browseCampaign(campaign)).query;
    expect((await runBrowse(db, browseCampaign(campaign), { ...q, limit: 1 })).count).toEqual({ n: N, capped: false });
  });

  it("one item: content, judge verdict, ratings under pseudonyms (no names or emails), inclusion records, versions, flags", async () => {
    const s = seeded.find((x) => x.version === 2 && x.ratings.length > 0 && x.anyFlag) ?? seeded.find((x) => x.version === 2 && x.ratings.length > 0)!;
    const r = await detail(s.externalId);
    expect(r.status).toBe(200);
    const body = r.json as Record<string, unknown> & { item: Record<string, unknown>; judge: Record<string, unknown>; ratings: Record<string, unknown>[]; inclusion: Record<string, unknown>[]; versions: Record<string, unknown>[] };
    expect(body.item).toMatchObject({ id: s.id, external_id: s.externalId, version: 2, metadata: { language: s.language } });
    expect(body.judge).toMatchObject({ score: s.judge, rationale: expect.stringMatching(/^Judge rationale/) });
    // Counted ratings, the excluded rater's and the one of version 1: all listed, each marked.
    expect(body.ratings.length).toBe(s.ratings.length + 2);
    expect(body.ratings.filter((x) => x.current && !x.excluded).map((x) => x.value).sort()).toEqual([...s.ratings].sort());
    expect(body.ratings.some((x) => x.excluded)).toBe(true);
    expect(body.ratings.some((x) => x.item_version === 1 && x.current === false)).toBe(true);
    for (const x of body.ratings) expect(x.rater).toMatch(/^a_[0-9a-f]{16}$/);
    const text = JSON.stringify(r.json);
    expect(text).not.toMatch(/@browse\.test|Person rater/);
    expect(body.consensus).toMatchObject({ value: consensusOf(s), ratings: s.ratings.length });
    expect(body.inclusion).toEqual([expect.objectContaining({ item_version: 2, round: 1, drawn: s.reason !== null })]);
    expect(body.versions).toEqual([expect.objectContaining({ version: 1, input: "Old question", judge_score: 2 })]);
    // The numeric id finds the same item; an unknown one, or an item of another campaign, is a 404.
    expect((await detail(String(s.id))).json.item).toMatchObject({ external_id: s.externalId });
    expect((await detail("no-such-item")).status).toBe(404);
    const [other] = await db.insert(campaigns).values({ slug: "browse-other", name: "Other", rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: defaultRoutingPolicy, ownerId: ids.owner }).returning();
    const [foreignItem] = await db.insert(items).values({ campaignId: other!.id, externalId: "elsewhere", output: "o" }).returning();
    expect((await detail(String(foreignItem!.id))).status).toBe(404);
    expect((await detail("elsewhere")).status).toBe(404);
  });

  it("resolving a flag is audited once; resolving it again is a no-op, not an error", async () => {
    const s = seeded.find((x) => x.openFlag)!;
    const [flag] = await db.select().from(flags).where(eq(flags.itemId, s.id));
    const resolve = (as = ids.owner) =>
      call(routes.flag!.PATCH!, { id: campaign.id, flagId: String(flag!.id) }, "", as, { method: "PATCH", headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" }, body: JSON.stringify({ status: "resolved" }) });
    expect((await resolve(ids.auditor)).status).toBe(403);
    expect((await resolve()).json.flag).toMatchObject({ status: "resolved" });
    const again = await resolve();
    expect(again.status).toBe(200);
    expect(again.json.flag).toMatchObject({ status: "resolved" });
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.targetType, "flag"), eq(auditEvents.targetId, String(flag!.id))));
    expect(events).toHaveLength(1);
    const shown = (await detail(s.externalId)).json.flags as Record<string, unknown>[];
    expect(shown[0]).toMatchObject({ status: "resolved", flagged_by: expect.stringMatching(/^a_/), resolved_by: expect.stringMatching(/^a_/) });
    expect((await allPages("flags=open", 50)).includes(s.externalId)).toBe(false);
  });

  it("researchers and auditors read; annotators (blind raters) get 403, outsiders 404, anonymous 401", async () => {
    const s = seeded[0]!;
    for (const [who, status] of [[ids.owner, 200], [ids.auditor, 200], [ids.annotator, 403], [ids.outsider, 404], [null, 401]] as const) {
      expect((await list("", who ?? null)).status, `list as ${who}`).toBe(status);
      expect((await detail(s.externalId, who ?? null)).status, `detail as ${who}`).toBe(status);
    }
    // By slug as well as by id.
    session.current = { user: { id: ids.auditor } };
    const bySlug = await routes.list!.GET!(new Request("http://localhost/x?limit=1", { headers: { host: "localhost" } }), { params: Promise.resolve({ id: "browse-study" }) });
    expect(bySlug.status).toBe(200);
  });
});
