// The authorisation matrix: every route handler and every server action in app/ × every kind of person.
// The lists are built from the code, so a new route or action without an entry here fails the suite.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { apiKeys, campaignInvites, campaignMembers, campaigns, exports, flags, items, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { createApiKey } from "@/lib/auth/api-keys";
import { statusOf, type ErrorCode } from "@/lib/errors";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => {
  const mod = await importOriginal<Record<string, unknown>>();
  return { ...mod, getServerSession: vi.fn(async () => session.current) };
});
vi.mock("next/headers", () => ({ headers: async () => new Headers({ "x-forwarded-for": "127.0.0.1" }) }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const ROLES = ["anonymous", "contributor", "otherAnnotator", "researcher", "auditor", "globalAuditor", "admin"] as const;
type Role = (typeof ROLES)[number];
type Expect = Record<Role, number>;
type Fixture = {
  userIds: Record<Exclude<Role, "anonymous">, string>;
  privateId: string;
  privateSlug: string;
  victimId: string;
  strangerKeyId: string;
};
const all = (status: number, over: Partial<Expect> = {}): Expect => ({ ...(Object.fromEntries(ROLES.map((r) => [r, status])) as Expect), ...over });
let counter = 0;

const editorsOnly: Expect = { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 403, globalAuditor: 403, admin: 200 };
type RouteSpec = { params: (f: Fixture) => Record<string, string>; body?: (f: Fixture) => unknown; prepare?: (f: Fixture) => Promise<void>; expect: Expect };
// Campaign readers (owner, researcher, campaign auditor), global auditors and admins; never annotators.
const exportReaders: Expect = { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 200, globalAuditor: 200, admin: 200 };
let finishedExportId = "00000000-0000-0000-0000-000000000000";
// An open flag on the private campaign, re-opened before every caller (closing it twice would be a 409).
let openFlagId = 0;
const openFlag = async (f: Fixture) => {
  const db = await getDb();
  await db.insert(items).values({ campaignId: f.privateId, externalId: "matrix-flagged", output: "flagged output" }).onConflictDoNothing();
  const [item] = await db.select({ id: items.id }).from(items).where(eq(items.externalId, "matrix-flagged"));
  const [flag] = await db
    .insert(flags)
    .values({ campaignId: f.privateId, itemId: item!.id, userId: f.victimId, reason: "broken" })
    .onConflictDoUpdate({ target: [flags.itemId, flags.userId], set: { status: "open", resolvedBy: null, resolvedAt: null } })
    .returning({ id: flags.id });
  openFlagId = flag!.id;
};
const routeSpecs: Record<string, Record<string, RouteSpec>> = {
  "app/api/health/route.ts": { GET: { params: () => ({}), expect: all(200) } },
  "app/api/v1/me/route.ts": { GET: { params: () => ({}), expect: all(200, { anonymous: 401 }) } },
  "app/api/v1/campaigns/[id]/members/route.ts": {
    GET: {
      params: (f) => ({ id: f.privateId }),
      expect: { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 403, globalAuditor: 403, admin: 200 },
    },
    POST: {
      params: (f) => ({ id: f.privateId }),
      body: () => ({ email: `invitee${++counter}@example.org`, role: "annotator" }),
      expect: { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 403, globalAuditor: 403, admin: 200 },
    },
  },
  "app/api/v1/campaigns/[id]/report/route.ts": {
    // Reports: owners, campaign and global auditors, admins; never annotators; invisible campaigns are 404.
    GET: { params: (f) => ({ id: f.privateId }), expect: { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 200, globalAuditor: 200, admin: 200 } },
  },
  "app/api/v1/campaigns/route.ts": {
    POST: {
      params: () => ({}),
      body: () => ({ name: `Matrix campaign ${++counter}`, rubric: { type: "binary", labels: ["no", "yes"] } }),
      expect: all(403, { anonymous: 401, researcher: 201, admin: 201 }),
    },
  },
  "app/api/v1/campaigns/[id]/route.ts": {
    GET: { params: (f) => ({ id: f.privateId }), expect: readers() },
    PATCH: { params: (f) => ({ id: f.privateId }), body: () => ({ description: "Edited by the matrix" }), expect: editorsOnly },
  },
  "app/api/v1/campaigns/[id]/routing/route.ts": {
    GET: { params: (f) => ({ id: f.privateId }), expect: readers() },
    // 202: routing runs in the background.
    POST: { params: (f) => ({ id: f.privateId }), expect: { ...editorsOnly, researcher: 202, admin: 202 } },
  },
  "app/api/v1/campaigns/[id]/items/route.ts": {
    POST: { params: (f) => ({ id: f.privateId }), body: () => [{ external_id: `m${++counter}`, output: "an answer", judge_score: 1, judge_confidence: 0.9 }], expect: { ...editorsOnly, researcher: 201, admin: 201 } },
  },
  "app/api/v1/campaigns/[id]/imports/[importId]/errors/route.ts": {
    // Another campaign's (or no) import id is not found for those who may edit; others never learn more.
    GET: { params: (f) => ({ id: f.privateId, importId: "00000000-0000-4000-8000-000000000000" }), expect: { ...editorsOnly, researcher: 404, admin: 404 } },
  },
  // Contributor work on an invite-only campaign: invisible to outsiders (404); people who may see it but not
  // rate it (owner, auditors, admins who have not joined) are refused (403).
  "app/api/campaigns/[slug]/assignments/next/route.ts": { POST: { params: (f) => ({ slug: f.privateSlug }), expect: work() } },
  "app/api/campaigns/[slug]/judgments/route.ts": {
    POST: { params: (f) => ({ slug: f.privateSlug }), body: () => ({ assignmentId: 999_999, value: 1 }), expect: work() },
  },
  "app/api/campaigns/[slug]/assignments/[id]/skip/route.ts": {
    POST: { params: (f) => ({ slug: f.privateSlug, id: "999999" }), body: () => ({}), expect: work() },
  },
  "app/api/campaigns/[slug]/assignments/[id]/flag/route.ts": {
    POST: { params: (f) => ({ slug: f.privateSlug, id: "999999" }), body: () => ({ reason: "broken" }), expect: work() },
  },
  "app/api/campaigns/[slug]/judgments/[id]/route.ts": {
    // Only your own judgment can be edited: anyone else's id is not found.
    PATCH: { params: (f) => ({ slug: f.privateSlug, id: "999999" }), body: () => ({ value: 1 }), expect: all(404, { anonymous: 401 }) },
  },
  "app/api/campaigns/[slug]/join/route.ts": {
    // Members already belong (idempotent 200); outsiders cannot join an invite-only campaign.
    POST: { params: (f) => ({ slug: f.privateSlug }), expect: { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 200, globalAuditor: 403, admin: 403 } },
  },
  "app/api/campaigns/[slug]/contributors/[userId]/exclusion/route.ts": {
    PUT: {
      prepare: async (f) => {
        const db = await getDb();
        await db.insert(campaignMembers).values({ campaignId: f.privateId, userId: f.victimId, role: "annotator" }).onConflictDoNothing();
      },
      params: (f) => ({ slug: f.privateSlug, userId: f.victimId }),
      body: () => ({ excludedFromReports: true }),
      expect: { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 403, globalAuditor: 403, admin: 200 },
    },
  },
};
function readers(): Expect {
  return { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 200, auditor: 200, globalAuditor: 200, admin: 200 };
}
function work(): Expect {
  return { anonymous: 401, contributor: 404, otherAnnotator: 404, researcher: 403, auditor: 403, globalAuditor: 403, admin: 403 };
}
Object.assign(routeSpecs, {
  "app/api/v1/campaigns/[id]/exports/route.ts": { GET: { params: (f: Fixture) => ({ id: f.privateId }), expect: exportReaders } },
  "app/api/v1/campaigns/[id]/exports/[kind]/route.ts": { GET: { params: (f: Fixture) => ({ id: f.privateId, kind: "items" }), expect: exportReaders } },
  "app/api/v1/campaigns/[id]/exports/manifests/[exportId]/route.ts": {
    GET: {
      prepare: async (f: Fixture) => {
        const db = await getDb();
        const [row] = await db.insert(exports).values({ campaignId: f.privateId, kind: "items", format: "csv", manifest: { files: [] } }).returning({ id: exports.id });
        finishedExportId = row!.id;
      },
      params: (f: Fixture) => ({ id: f.privateId, exportId: finishedExportId }),
      expect: exportReaders,
    },
  },
  "app/api/v1/campaigns/[id]/flags/[flagId]/route.ts": {
    PATCH: { prepare: openFlag, params: (f: Fixture) => ({ id: f.privateId, flagId: String(openFlagId) }), body: () => ({ status: "resolved" }), expect: editorsOnly },
  },
  "app/api/v1/audit.csv/route.ts": { GET: { params: () => ({}), expect: all(403, { anonymous: 401, globalAuditor: 200, admin: 200 }) } },
  "app/api/v1/me/data/route.ts": { GET: { params: () => ({}), expect: all(200, { anonymous: 401 }) } },
} satisfies Record<string, Record<string, RouteSpec>>);
// next-auth's own handler: it has its own CSRF token and is covered by the e2e sign-in tests.
const EXEMPT_ROUTES = new Set(["app/api/auth/[...nextauth]/route.ts"]);

type ActionSpec = {
  form: (f: Fixture, role: Role) => Record<string, string>;
  prepare?: (f: Fixture) => Promise<void>;
  cleanup?: (f: Fixture) => Promise<void>;
  expect: Expect;
};
const campaignForm = (name: string) => ({
  name,
  rubricType: "binary",
  binaryLabel0: "no",
  binaryLabel1: "yes",
  k: "3",
  confidenceThreshold: "0.5",
  tailThreshold: "0.9",
  controlRate: "0.1",
  visibility: "invite",
});
const setPrivateStatus = (status: "active" | "paused") => async (f: Fixture) => {
  const db = await getDb();
  await db.update(campaigns).set({ status }).where(eq(campaigns.id, f.privateId));
};
const actionSpecs: Record<string, ActionSpec> = {
  // Only ever deletes the caller's own account (id from the session); success is covered in privacy.test.ts,
  // here an unconfirmed request shows it needs a session and a confirmation.
  "app/settings/privacy/actions.ts#deleteAccountAction": { form: () => ({ confirm: "nope" }), expect: all(400, { anonymous: 401 }) },
  "app/signup/actions.ts#signUpAction": {
    form: (_f, role) => ({ name: "New Person", email: `signup-${role}-${++counter}@example.org`, password: "a-long-password" }),
    expect: all(409, { anonymous: 200 }),
  },
  "app/admin/users/actions.ts#setRoleAction": {
    form: (f) => ({ userId: f.victimId, role: "researcher" }),
    expect: all(403, { anonymous: 401, admin: 200 }),
  },
  "app/settings/api-keys/actions.ts#createKeyAction": { form: () => ({ name: "matrix" }), expect: all(200, { anonymous: 401 }) },
  "app/settings/api-keys/actions.ts#revokeKeyAction": {
    // Someone else's key: not found for everyone (no IDOR), 401 for anonymous.
    form: (f) => ({ keyId: f.strangerKeyId }),
    expect: all(404, { anonymous: 401 }),
  },
  "app/campaigns/new/actions.ts#createCampaignAction": {
    form: () => campaignForm(`Matrix form campaign ${++counter}`),
    expect: all(403, { anonymous: 401, researcher: 200, admin: 200 }),
  },
  "app/campaigns/[slug]/edit/actions.ts#updateCampaignAction": {
    form: (f) => ({ slug: f.privateSlug, ...campaignForm("Private study"), status: "active" }),
    expect: editorsOnly,
  },
  "app/campaigns/[slug]/edit/actions.ts#changeStatusAction": {
    prepare: setPrivateStatus("active"),
    cleanup: setPrivateStatus("active"),
    form: (f) => ({ slug: f.privateSlug, status: "paused" }),
    expect: editorsOnly,
  },
  "app/campaigns/[slug]/edit/actions.ts#rerouteAction": { form: (f) => ({ slug: f.privateSlug }), expect: editorsOnly },
  "app/campaigns/[slug]/contributors/actions.ts#resolveFlagAction": {
    prepare: openFlag,
    form: (f) => ({ slug: f.privateSlug, flagId: String(openFlagId), status: "dismissed", note: "Matrix check" }),
    expect: editorsOnly,
  },
  "app/campaigns/[slug]/members/actions.ts#inviteAction": {
    form: (f) => ({ slug: f.privateSlug, email: `inv${++counter}@example.org`, role: "annotator" }),
    expect: editorsOnly,
  },
  "app/campaigns/[slug]/members/actions.ts#removeMemberAction": {
    prepare: async (f) => {
      const db = await getDb();
      await db.insert(campaignMembers).values({ campaignId: f.privateId, userId: f.victimId, role: "annotator" }).onConflictDoNothing();
    },
    form: (f) => ({ slug: f.privateSlug, userId: f.victimId }),
    expect: editorsOnly,
  },
  "app/campaigns/[slug]/members/actions.ts#cancelInviteAction": {
    prepare: async (f) => {
      const db = await getDb();
      await db.insert(campaignInvites).values({ campaignId: f.privateId, email: "pending@example.org", invitedBy: f.userIds.researcher }).onConflictDoNothing();
    },
    form: (f) => ({ slug: f.privateSlug, email: "pending@example.org" }),
    expect: editorsOnly,
  },
};

function walk(dir: string, name: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, name, out);
    else if (e.name === name) out.push(path.relative(process.cwd(), p).split(path.sep).join("/"));
  }
  return out;
}
const routeFiles = walk("app", "route.ts").filter((f) => !EXEMPT_ROUTES.has(f));
const actionFiles = walk("app", "actions.ts");

async function buildFixture(): Promise<Fixture> {
  const db = await getDb();
  await seedDemo(db, { items: 60 });
  const byEmail = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
  const mk = async (email: string) => (await db.insert(users).values({ email, name: email.split("@")[0]! }).returning({ id: users.id }))[0]!.id;
  const researcher = await byEmail("researcher@margin.demo");
  const [priv] = await db
    .insert(campaigns)
    .values({ slug: "private-study", name: "Private study", rubric: { type: "binary", labels: ["no", "yes"] }, routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.9, controlRate: 0.1 }, visibility: "invite", status: "active", ownerId: researcher })
    .returning();
  const campaignAuditor = await mk("campaign-auditor@example.org");
  await db.insert(campaignMembers).values([
    { campaignId: priv!.id, userId: researcher, role: "owner" },
    { campaignId: priv!.id, userId: campaignAuditor, role: "auditor" },
  ]);
  const stranger = await mk("stranger@example.org");
  const { id: strangerKeyId } = await createApiKey(db, { userId: stranger, name: "not yours" });
  return {
    userIds: {
      contributor: await mk("plain@example.org"),
      otherAnnotator: await byEmail("ada@margin.demo"),
      researcher,
      auditor: campaignAuditor,
      globalAuditor: await byEmail("auditor@margin.demo"),
      admin: await byEmail("admin@margin.demo"),
    },
    privateId: priv!.id,
    privateSlug: priv!.slug,
    victimId: await mk("victim@example.org"),
    strangerKeyId,
  };
}

const as = (f: Fixture, role: Role) => (session.current = role === "anonymous" ? null : { user: { id: f.userIds[role] } });

describe.each(backends())("authorisation matrix on $name", (backend) => {
  let f: Fixture;
  let drop: () => Promise<void> = async () => {};
  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    f = await buildFixture();
  });
  afterAll(async () => {
    await drop();
  });

  it("has an entry for every route handler and server action in app/", async () => {
    expect(Object.keys(routeSpecs).sort()).toEqual(routeFiles.sort());
    const exported: string[] = [];
    for (const file of actionFiles) {
      const mod = (await import(/* @vite-ignore */ path.join(process.cwd(), file))) as Record<string, unknown>;
      for (const name of Object.keys(mod)) exported.push(`${file}#${name}`);
    }
    expect(Object.keys(actionSpecs).sort()).toEqual(exported.sort());
  });

  for (const [file, methods] of Object.entries(routeSpecs)) {
    for (const [method, spec] of Object.entries(methods)) {
      it(`${method} ${file}`, async () => {
        await spec.prepare?.(f);
        const mod = (await import(/* @vite-ignore */ path.join(process.cwd(), file))) as Record<string, (req: Request, ctx: unknown) => Promise<Response>>;
        const got: Partial<Expect> = {};
        for (const role of ROLES) {
          await spec.prepare?.(f);
          as(f, role);
          const body = spec.body?.(f);
          const req = new Request("http://localhost/x", {
            method,
            headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const res = await mod[method]!(req, { params: Promise.resolve(spec.params(f)) });
          got[role] = res.status;
          if (res.status >= 400) expect((await res.json()) as unknown).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
        }
        expect(got).toEqual(spec.expect);
      });
    }
  }

  for (const [key, spec] of Object.entries(actionSpecs)) {
    it(`action ${key}`, async () => {
      const [file, name] = key.split("#") as [string, string];
      const mod = (await import(/* @vite-ignore */ path.join(process.cwd(), file))) as Record<string, (prev: unknown, fd: FormData) => Promise<{ code?: ErrorCode; success?: string } | undefined>>;
      const got: Partial<Expect> = {};
      for (const role of ROLES) {
        await spec.prepare?.(f);
        as(f, role);
        const fd = new FormData();
        for (const [k, v] of Object.entries(spec.form(f, role))) fd.set(k, v);
        try {
          const result = await mod[name]!(undefined, fd);
          got[role] = result?.code ? statusOf(result.code) : result?.success !== undefined ? 200 : 500;
        } catch (e) {
          // A successful action may end in redirect(), which Next signals by throwing.
          got[role] = String((e as { digest?: string }).digest ?? "").startsWith("NEXT_REDIRECT") ? 200 : 500;
        }
      }
      await spec.cleanup?.(f);
      expect(got).toEqual(spec.expect);
    });
  }

  it("refuses cross-site cookie mutations but accepts API keys without an Origin", async () => {
    const mod = await import("@/app/api/v1/campaigns/[id]/members/route");
    as(f, "researcher");
    const post = (headers: Record<string, string>) =>
      mod.POST(new Request("http://localhost/x", { method: "POST", headers: { host: "localhost", "content-type": "application/json", ...headers }, body: JSON.stringify({ email: `x${++counter}@example.org`, role: "annotator" }) }), { params: Promise.resolve({ id: f.privateId }) });
    expect((await post({ origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    expect((await post({ "sec-fetch-site": "same-origin" })).status).toBe(200);
    session.current = null;
    const { key } = await createApiKey(await getDb(), { userId: f.userIds.researcher, name: "ci" });
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(200);
    expect((await post({ authorization: "Bearer mgn_nope_nope" })).status).toBe(401);
    const db = await getDb();
    await db.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.userId, f.userIds.researcher));
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it("answers malformed and oversized bodies with 400/413 naming the field", async () => {
    const mod = await import("@/app/api/v1/campaigns/[id]/members/route");
    as(f, "researcher");
    const send = (body: string) =>
      mod.POST(new Request("http://localhost/x", { method: "POST", headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" }, body }), { params: Promise.resolve({ id: f.privateId }) });
    const bad = await send(JSON.stringify({ email: "not-an-email", role: "annotator" }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "bad_request", field: "email" } });
    const badRole = await send(JSON.stringify({ email: "a@example.org", role: "owner" }));
    expect(await badRole.json()).toMatchObject({ error: { field: "role" } });
    expect((await send("{not json")).status).toBe(400);
    expect((await send(JSON.stringify({ email: "a@example.org", role: "annotator", pad: "x".repeat(5000) }))).status).toBe(413);
  });
});
