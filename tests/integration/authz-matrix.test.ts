// The authorisation matrix: every exported HTTP method of every route handler, every server action, every page and
// layout in app/ × every kind of caller (session, and on the API a bearer key of the same person) × an invite-only
// and a public campaign. The lists are built from the code (files and their exports), so a new route, method,
// action or page without an entry here fails the suite.
import fs from "node:fs";
import path from "node:path";
import { isValidElement, type ReactElement } from "react";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "@/db";
import { apiKeys, campaignInvites, campaignMembers, campaigns, exports, flags, imports, items, users, type Campaign } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { AccessDenied } from "@/components/auth/access-denied";
import { assignNextItem } from "@/lib/assign/assign-next";
import { submitJudgment } from "@/lib/assign/submit";
import { createApiKey } from "@/lib/auth/api-keys";
import { type AppError, statusOf, type ErrorCode } from "@/lib/errors";
import { runRouting } from "@/lib/routing/run-routing";
import { settleRouting } from "@/lib/routing/schedule";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => {
  const mod = await importOriginal<Record<string, unknown>>();
  return { ...mod, getServerSession: vi.fn(async () => session.current) };
});
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "127.0.0.1" }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

// Callers. `annotator` is an annotator member of both campaigns under test; `otherAnnotator` rates another
// campaign only (the demo); `otherResearcher` is a researcher who does not belong to the campaign; `auditor` is the
// campaign's auditor member, `globalAuditor` has the instance-wide auditor role.
const CALLERS = ["anonymous", "contributor", "annotator", "otherAnnotator", "otherResearcher", "researcher", "auditor", "globalAuditor", "admin"] as const;
type Caller = (typeof CALLERS)[number];
type SignedIn = Exclude<Caller, "anonymous">;
/** A status (200, 401, 403, 404, …) or, for pages, "→/path" for a redirect. */
type Outcome = number | string;
type Expect = Record<Caller, Outcome>;
type Kind = "invite" | "public";
type ByKind = { invite: Expect; public: Expect };

/** One row of the matrix in CALLERS order. */
function row(...o: [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]): Expect {
  return Object.fromEntries(CALLERS.map((c, i) => [c, o[i]])) as Expect;
}
const all = (o: Outcome, over: Partial<Expect> = {}): Expect => ({ ...(Object.fromEntries(CALLERS.map((r) => [r, o])) as Expect), ...over });

//                    anon contrib annot otherAnn otherRes owner audit gAudit admin
// Invite-only: people outside it never learn it exists (404); members without the right get 403.
const INVITE = {
  edit: row(401, 404, 403, 404, 404, 200, 403, 403, 200),
  read: row(401, 404, 403, 404, 404, 200, 200, 200, 200),
  work: row(401, 404, 200, 404, 404, 403, 403, 403, 403),
};
// Public: every signed-in person sees it, and may join and rate, but reads, exports and changes stay with its owner,
// its auditors, global auditors and admins. Anonymous callers of the API are 401 everywhere.
const PUBLIC = {
  edit: row(401, 403, 403, 403, 403, 200, 403, 403, 200),
  read: row(401, 403, 403, 403, 403, 200, 200, 200, 200),
  // Non-members may rate only after joining (403 "join first" until then; joining is its own row).
  work: row(401, 403, 200, 403, 403, 403, 403, 403, 403),
};
const editors: ByKind = { invite: INVITE.edit, public: PUBLIC.edit };
const readers: ByKind = { invite: INVITE.read, public: PUBLIC.read };
const workers: ByKind = { invite: INVITE.work, public: PUBLIC.work };
const withStatus = (e: ByKind, from: number, to: number): ByKind => ({
  invite: Object.fromEntries(CALLERS.map((c) => [c, e.invite[c] === from ? to : e.invite[c]])) as Expect,
  public: Object.fromEntries(CALLERS.map((c) => [c, e.public[c] === from ? to : e.public[c]])) as Expect,
});

type Camp = {
  kind: Kind;
  id: string;
  slug: string;
  importId: string;
  judgmentId: number;
  exportId: string;
  flagId: number;
  assignmentId: number;
};
type Fixture = {
  userIds: Record<SignedIn, string>;
  keys: Record<SignedIn, string>;
  victimId: string;
  strangerKeyId: string;
  camps: Record<Kind, Camp>;
};
let counter = 0;

type RouteSpec = {
  params: (f: Fixture, c: Camp) => Record<string, string>;
  body?: (f: Fixture, c: Camp) => unknown;
  /** Runs before every caller. */
  prepare?: (f: Fixture, c: Camp) => Promise<void>;
  /** Runs after every caller (undo what a successful call changed that would change the next caller's answer). */
  reset?: (f: Fixture, c: Camp) => Promise<void>;
  expect: Expect | ByKind;
};

const campaignRow = async (c: Camp): Promise<Campaign> => {
  const db = await getDb();
  return (await db.select().from(campaigns).where(eq(campaigns.id, c.id)))[0]!;
};
/** A live lease for the campaign's annotator (the same one until it is used up). */
const lease = async (f: Fixture, c: Camp) => {
  const db = await getDb();
  const item = await assignNextItem(db, await campaignRow(c), f.userIds.annotator);
  if (!item) throw new Error(`no item left to lease in ${c.slug}`);
  c.assignmentId = item.assignmentId;
};
// An open flag raised by someone else, re-opened before every caller (closing it twice would be a 409).
const openFlag = async (f: Fixture, c: Camp) => {
  const db = await getDb();
  await db.insert(items).values({ campaignId: c.id, externalId: "matrix-flagged", output: "flagged output" }).onConflictDoNothing();
  const [item] = await db.select({ id: items.id }).from(items).where(and(eq(items.campaignId, c.id), eq(items.externalId, "matrix-flagged")));
  const [flag] = await db
    .insert(flags)
    .values({ campaignId: c.id, itemId: item!.id, userId: f.victimId, reason: "broken" })
    .onConflictDoUpdate({ target: [flags.itemId, flags.userId], set: { status: "open", resolvedBy: null, resolvedAt: null } })
    .returning({ id: flags.id });
  c.flagId = flag!.id;
};
/** The routing runs the rows above started in the background are over (an import would otherwise wait on them). */
// Embedded runs happen in this process (settleRouting waits for them); on PostgreSQL no worker runs in this test, so
// the jobs only wait in the queue and hold nothing.
const routingIdle = async () => {
  await settleRouting();
};
const victimIsAnnotator = async (f: Fixture, c: Camp) => {
  const db = await getDb();
  await db.insert(campaignMembers).values({ campaignId: c.id, userId: f.victimId, role: "annotator" }).onConflictDoNothing();
};
/** Joining a public campaign makes the caller a member: undo it so the next rows see a non-member again. */
const unjoin = async (f: Fixture, c: Camp) => {
  const db = await getDb();
  const outsiders = (["contributor", "otherAnnotator", "otherResearcher", "globalAuditor", "admin"] as const).map((r) => f.userIds[r]);
  await db.delete(campaignMembers).where(and(eq(campaignMembers.campaignId, c.id), inArray(campaignMembers.userId, outsiders)));
};

const routeSpecs: Record<string, Partial<Record<Method, RouteSpec>>> = {
  "app/api/health/route.ts": { GET: { params: () => ({}), expect: all(200) } },
  "app/api/v1/me/route.ts": { GET: { params: () => ({}), expect: all(200, { anonymous: 401 }) } },
  "app/api/v1/me/data/route.ts": { GET: { params: () => ({}), expect: all(200, { anonymous: 401 }) } },
  "app/api/v1/audit.csv/route.ts": { GET: { params: () => ({}), expect: all(403, { anonymous: 401, globalAuditor: 200, admin: 200 }) } },
  "app/api/v1/campaigns/route.ts": {
    POST: {
      params: () => ({}),
      body: () => ({ name: `Matrix campaign ${++counter}`, rubric: { type: "binary", labels: ["no", "yes"] } }),
      expect: all(403, { anonymous: 401, otherResearcher: 201, researcher: 201, admin: 201 }),
    },
  },
  "app/api/v1/campaigns/[id]/route.ts": {
    // The campaign as the API gives it includes the routing design: judge:read, never for annotators.
    GET: { params: (_f, c) => ({ id: c.id }), expect: readers },
    PATCH: { params: (_f, c) => ({ id: c.id }), body: () => ({ description: "Edited by the matrix" }), expect: editors },
  },
  "app/api/v1/campaigns/[id]/members/route.ts": {
    GET: { params: (_f, c) => ({ id: c.id }), expect: editors },
    POST: { params: (_f, c) => ({ id: c.id }), body: () => ({ email: `invitee${++counter}@example.org`, role: "annotator" }), expect: editors },
  },
  "app/api/v1/campaigns/[id]/report/route.ts": { GET: { params: (_f, c) => ({ id: c.id }), expect: readers } },
  "app/api/v1/campaigns/[id]/plan/route.ts": { GET: { params: (_f, c) => ({ id: c.id }), expect: readers } },
  // Admins only; handing the campaign to its own owner is a no-op, so the fixture keeps its owner.
  "app/api/v1/campaigns/[id]/owner/route.ts": { PUT: { params: (_f, c) => ({ id: c.id }), body: (f) => ({ userId: f.userIds.researcher }), expect: all(403, { anonymous: 401, admin: 200 }) } },
  "app/api/v1/campaigns/[id]/routing/route.ts": {
    GET: { params: (_f, c) => ({ id: c.id }), expect: readers },
    // 202: routing runs in the background.
    POST: { params: (_f, c) => ({ id: c.id }), expect: withStatus(editors, 200, 202) },
  },
  "app/api/v1/campaigns/[id]/items/route.ts": {
    // The item browser's list carries the judge's verdict: judge:read, never for annotators.
    GET: { params: (_f, c) => ({ id: c.id }), expect: readers },
    POST: {
      prepare: routingIdle,
      params: (_f, c) => ({ id: c.id }),
      body: () => [{ external_id: `m${++counter}`, output: "an answer", judge_score: 1, judge_confidence: 0.1 }],
      expect: withStatus(editors, 200, 201),
    },
  },
  "app/api/v1/campaigns/[id]/imports/route.ts": { GET: { params: (_f, c) => ({ id: c.id }), expect: editors } },
  "app/api/v1/campaigns/[id]/items/[itemId]/route.ts": { GET: { params: (_f, c) => ({ id: c.id, itemId: `${c.kind}-0` }), expect: readers } },
  "app/api/v1/campaigns/[id]/imports/[importId]/errors/route.ts": { GET: { params: (_f, c) => ({ id: c.id, importId: c.importId }), expect: editors } },
  "app/api/v1/campaigns/[id]/exports/route.ts": { GET: { params: (_f, c) => ({ id: c.id }), expect: readers } },
  "app/api/v1/campaigns/[id]/exports/[kind]/route.ts": { GET: { params: (_f, c) => ({ id: c.id, kind: "items" }), expect: readers } },
  "app/api/v1/campaigns/[id]/exports/manifests/[exportId]/route.ts": { GET: { params: (_f, c) => ({ id: c.id, exportId: c.exportId }), expect: readers } },
  "app/api/v1/campaigns/[id]/flags/[flagId]/route.ts": {
    PATCH: { prepare: openFlag, params: (_f, c) => ({ id: c.id, flagId: String(c.flagId) }), body: () => ({ status: "resolved" }), expect: editors },
  },
  "app/api/campaigns/[slug]/contributors/[userId]/exclusion/route.ts": {
    PUT: { prepare: victimIsAnnotator, params: (f, c) => ({ slug: c.slug, userId: f.victimId }), body: () => ({ excludedFromReports: true }), expect: editors },
  },
  // Rating work. Invite-only: invisible to outsiders (404); people who see it but do not rate it (owner, auditors,
  // admins who have not joined) are refused (403). The annotator works on a real lease of their own.
  "app/api/campaigns/[slug]/assignments/next/route.ts": { POST: { params: (_f, c) => ({ slug: c.slug }), expect: workers } },
  "app/api/campaigns/[slug]/judgments/route.ts": {
    POST: { prepare: lease, params: (_f, c) => ({ slug: c.slug }), body: (_f, c) => ({ assignmentId: c.assignmentId, value: 1 }), expect: workers },
  },
  "app/api/campaigns/[slug]/assignments/[id]/skip/route.ts": {
    POST: { prepare: lease, params: (_f, c) => ({ slug: c.slug, id: String(c.assignmentId) }), body: () => ({}), expect: workers },
  },
  "app/api/campaigns/[slug]/assignments/[id]/flag/route.ts": {
    POST: { prepare: lease, params: (_f, c) => ({ slug: c.slug, id: String(c.assignmentId) }), body: () => ({ reason: "broken" }), expect: workers },
  },
  "app/api/campaigns/[slug]/judgments/[id]/route.ts": {
    // The annotator's own judgment: only they can edit it; to anyone else it is not found (no IDOR), and on an
    // invite-only campaign outsiders do not get that far (404 as well).
    PATCH: {
      params: (_f, c) => ({ slug: c.slug, id: String(c.judgmentId) }),
      body: () => ({ value: 1 }),
      expect: all(404, { anonymous: 401, annotator: 200 }),
    },
  },
  "app/api/campaigns/[slug]/join/route.ts": {
    POST: {
      params: (_f, c) => ({ slug: c.slug }),
      reset: unjoin,
      expect: {
        // Members already belong (idempotent 200); nobody else joins an invite-only campaign.
        invite: row(401, 404, 200, 404, 404, 200, 200, 403, 403),
        // Anyone signed in may join a public campaign.
        public: all(200, { anonymous: 401 }),
      },
    },
  },
};
// next-auth's own handler: it has its own CSRF token and is covered by the e2e sign-in tests. Its exports are
// still checked below, so a method added to it does not go unnoticed.
const EXEMPT_ROUTES: Record<string, Method[]> = { "app/api/auth/[...nextauth]/route.ts": ["GET", "POST"] };

type ActionSpec = {
  form: (f: Fixture, c: Camp, caller: Caller) => Record<string, string>;
  prepare?: (f: Fixture, c: Camp) => Promise<void>;
  cleanup?: (f: Fixture, c: Camp) => Promise<void>;
  expect: Expect | ByKind;
};
const campaignForm = (c: Camp) => ({
  name: c.kind === "public" ? "Public study" : "Private study",
  rubricType: "binary",
  binaryLabel0: "no",
  binaryLabel1: "yes",
  k: "3",
  confidenceThreshold: "0.5",
  tailThreshold: "0.9",
  controlRate: "0.1",
  visibility: c.kind,
});
const setStatus = (status: "active" | "paused") => async (_f: Fixture, c: Camp) => {
  const db = await getDb();
  await db.update(campaigns).set({ status }).where(eq(campaigns.id, c.id));
};
const actionSpecs: Record<string, ActionSpec> = {
  // Only ever deletes the caller's own account (id from the session); success is covered in privacy.test.ts,
  // here an unconfirmed request shows it needs a session and a confirmation.
  "app/settings/privacy/actions.ts#deleteAccountAction": { form: () => ({ confirm: "nope" }), expect: all(400, { anonymous: 401 }) },
  // Only ever the caller's own password (id from the session); success is covered in sessions.test.ts, here a
  // wrong current password shows it needs a session and the current password.
  // Only for the caller (id from the session); no provider is configured in tests, so signed-in callers get 400.
  "app/settings/privacy/actions.ts#startLinkAction": { form: () => ({ provider: "github" }), expect: all(400, { anonymous: 401 }) },
  "app/settings/privacy/actions.ts#changePasswordAction": {
    form: () => ({ current: "not-the-password", password: "another-long-password", confirm: "another-long-password" }),
    expect: all(400, { anonymous: 401 }),
  },
  "app/signup/actions.ts#signUpAction": {
    form: (_f, _c, caller) => ({ name: "New Person", email: `signup-${caller}-${++counter}@example.org`, password: "a-long-password" }),
    expect: all(409, { anonymous: 200 }),
  },
  "app/admin/users/actions.ts#setRoleAction": { form: (f) => ({ userId: f.victimId, role: "researcher" }), expect: all(403, { anonymous: 401, admin: 200 }) },
  "app/settings/api-keys/actions.ts#createKeyAction": { form: () => ({ name: "matrix" }), expect: all(200, { anonymous: 401 }) },
  "app/settings/api-keys/actions.ts#revokeKeyAction": {
    // Someone else's key: not found for everyone (no IDOR), 401 for anonymous.
    form: (f) => ({ keyId: f.strangerKeyId }),
    expect: all(404, { anonymous: 401 }),
  },
  "app/campaigns/new/actions.ts#createCampaignAction": {
    form: () => ({ ...campaignForm({ kind: "invite" } as Camp), name: `Matrix form campaign ${++counter}` }),
    expect: all(403, { anonymous: 401, otherResearcher: 200, researcher: 200, admin: 200 }),
  },
  "app/campaigns/[slug]/edit/actions.ts#updateCampaignAction": { form: (_f, c) => ({ slug: c.slug, ...campaignForm(c), status: "active" }), expect: editors },
  "app/campaigns/[slug]/edit/actions.ts#changeStatusAction": {
    prepare: setStatus("active"),
    cleanup: setStatus("active"),
    form: (_f, c) => ({ slug: c.slug, status: "paused" }),
    expect: editors,
  },
  "app/campaigns/[slug]/edit/actions.ts#rerouteAction": { form: (_f, c) => ({ slug: c.slug }), expect: editors },
  "app/campaigns/[slug]/contributors/actions.ts#resolveFlagAction": {
    prepare: openFlag,
    form: (_f, c) => ({ slug: c.slug, flagId: String(c.flagId), status: "dismissed", note: "Matrix check" }),
    expect: editors,
  },
  "app/campaigns/[slug]/members/actions.ts#inviteAction": { form: (_f, c) => ({ slug: c.slug, email: `inv${++counter}@example.org`, role: "annotator" }), expect: editors },
  "app/campaigns/[slug]/members/actions.ts#removeMemberAction": { prepare: victimIsAnnotator, form: (f, c) => ({ slug: c.slug, userId: f.victimId }), expect: editors },
  "app/campaigns/[slug]/members/actions.ts#cancelInviteAction": {
    prepare: async (f, c) => {
      const db = await getDb();
      await db.insert(campaignInvites).values({ campaignId: c.id, email: "pending@example.org", invitedBy: f.userIds.researcher }).onConflictDoNothing();
    },
    form: (_f, c) => ({ slug: c.slug, email: "pending@example.org" }),
    expect: editors,
  },
};

// Pages and layouts. Each is the async server component itself, called as Next would call it (params and
// searchParams as promises) under each caller's session; the outcome is read from what it returns or throws:
// an <AccessDenied> element anywhere in the returned tree is its status (401/403/404), a thrown NEXT_REDIRECT is
// "→target", a thrown notFound()/forbidden()/unauthorized() is 404/403/401, anything else rendered is 200. Pages
// answer with real statuses (components/auth/deny.ts): an expected 401 is, for a page, the redirect to sign-in
// (here without a return path: the proxy's x-margin-path header is absent outside a request).
// Nested async components (panels, links) are not rendered here; they get their data from the page, which is what
// is checked. `listed` also checks whether the campaign's slug appears in what the page rendered for that caller.
type PageSpec = {
  params?: (c: Camp) => Record<string, string>;
  expect: Expect | ByKind;
  listed?: ByKind;
};
const slug = (c: Camp) => ({ slug: c.slug });
//                           anon contrib annot otherAnn otherRes owner audit gAudit admin
const pageView: ByKind = { invite: row(404, 404, 200, 404, 404, 200, 200, 200, 200), public: all(200) };
// Pages check the permission in loadCampaign, which answers 404 for what the caller may not even see: anonymous
// visitors of an invite-only campaign included.
const pageRead: ByKind = { invite: row(404, 404, 403, 404, 404, 200, 200, 200, 200), public: PUBLIC.read };
const pageEdit: ByKind = { invite: row(404, 404, 403, 404, 404, 200, 403, 403, 200), public: PUBLIC.edit };
const signedIn = all(200, { anonymous: 401 });
const SIGN_IN = "→/signin";
const toCampaigns = all("→/campaigns", { anonymous: 200 });
const pageSpecs: Record<string, PageSpec> = {
  "app/layout.tsx": { expect: all(200) },
  "app/page.tsx": { expect: all(200) },
  "app/signin/page.tsx": { expect: toCampaigns },
  "app/signup/page.tsx": { expect: toCampaigns },
  "app/campaigns/page.tsx": {
    expect: all(200),
    // The public campaign is listed for everyone; the invite-only one only for its members, auditors and admins.
    listed: { invite: row(0, 0, 1, 0, 0, 1, 1, 1, 1), public: all(1) },
  },
  "app/campaigns/new/page.tsx": { expect: all(403, { anonymous: 401, otherResearcher: 200, researcher: 200, admin: 200 }) },
  "app/contribute/page.tsx": { expect: signedIn },
  "app/settings/api-keys/page.tsx": { expect: signedIn },
  "app/settings/privacy/page.tsx": { expect: signedIn },
  "app/admin/users/page.tsx": { expect: all(403, { anonymous: 401, admin: 200 }) },
  "app/admin/audit/page.tsx": { expect: all(403, { anonymous: 401, globalAuditor: 200, admin: 200 }) },
  "app/campaigns/[slug]/page.tsx": { params: slug, expect: pageView },
  // The contributor's own ratings in a campaign they can see.
  "app/campaigns/[slug]/history/page.tsx": { params: slug, expect: { invite: { ...pageView.invite, anonymous: 401 }, public: signedIn } },
  "app/campaigns/[slug]/rate/page.tsx": {
    params: slug,
    expect: {
      // 200 for a non-member is the join card (admins and, on a public campaign, anyone signed in who may annotate).
      invite: row(401, 404, 200, 404, 404, 403, 403, 403, 200),
      public: row(401, 200, 200, 200, 200, 403, 403, 200, 200),
    },
  },
  "app/campaigns/[slug]/overview/page.tsx": { params: slug, expect: pageRead },
  "app/campaigns/[slug]/report/page.tsx": { params: slug, expect: pageRead },
  "app/campaigns/[slug]/plan/page.tsx": { params: slug, expect: pageRead },
  "app/campaigns/[slug]/contributors/page.tsx": { params: slug, expect: pageRead },
  // The item browser and one item's page (judge verdicts, ratings) and its rater preview: judge:read.
  "app/campaigns/[slug]/items/page.tsx": { params: slug, expect: pageRead },
  "app/campaigns/[slug]/items/layout.tsx": { params: slug, expect: pageRead },
  "app/campaigns/[slug]/items/[item]/page.tsx": { params: (c) => ({ slug: c.slug, item: `${c.kind}-0` }), expect: pageRead },
  "app/campaigns/[slug]/items/[item]/preview/page.tsx": { params: (c) => ({ slug: c.slug, item: `${c.kind}-0` }), expect: pageRead },
  "app/campaigns/[slug]/exports/page.tsx": { params: slug, expect: pageRead },
  "app/campaigns/[slug]/edit/page.tsx": { params: slug, expect: pageEdit },
  "app/campaigns/[slug]/import/page.tsx": { params: slug, expect: pageEdit },
  "app/campaigns/[slug]/members/page.tsx": { params: slug, expect: pageEdit },
};

const METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

function walk(dir: string, name: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, name, out);
    else if (e.name === name) out.push(path.relative(process.cwd(), p).split(path.sep).join("/"));
  }
  return out.sort();
}
const routeFiles = walk("app", "route.ts");
const actionFiles = walk("app", "actions.ts");
const pageFiles = [...walk("app", "page.tsx"), ...walk("app", "layout.tsx")].sort();
const load = async <T,>(file: string) => (await import(/* @vite-ignore */ path.join(process.cwd(), file))) as T;
const exportedMethods = async (file: string) => Object.keys(await load<Record<string, unknown>>(file)).filter((k): k is Method => (METHODS as readonly string[]).includes(k)).sort();
/** The methods a route file's source says it exports (`export const GET`, `export async function POST`, `export { h as GET }`). */
function declaredMethods(file: string): string[] {
  const src = fs.readFileSync(file, "utf8");
  const found = new Set<string>();
  for (const m of src.matchAll(/export\s+(?:const|let|async\s+function|function)\s+([A-Z]+)\b/g)) found.add(m[1]!);
  for (const m of src.matchAll(/export\s*\{([^}]*)\}/g)) for (const part of m[1]!.split(",")) found.add(part.trim().split(/\s+as\s+/).pop()!.trim());
  return [...found].filter((k) => (METHODS as readonly string[]).includes(k)).sort();
}
const expectFor = (e: Expect | ByKind, kind: Kind): Expect => ("invite" in e ? e[kind] : e);

async function buildFixture(): Promise<Fixture> {
  const db = await getDb();
  await seedDemo(db, { items: 60 });
  const byEmail = async (email: string) => (await db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
  const mk = async (email: string, role: "contributor" | "researcher" = "contributor") =>
    (await db.insert(users).values({ email, name: email.split("@")[0]!, role }).returning({ id: users.id }))[0]!.id;
  const researcher = await byEmail("researcher@margin.demo");
  const userIds: Record<SignedIn, string> = {
    contributor: await mk("plain@example.org"),
    annotator: await mk("member-annotator@example.org"),
    otherAnnotator: await byEmail("ada@margin.demo"),
    otherResearcher: await mk("other-researcher@example.org", "researcher"),
    researcher,
    auditor: await mk("campaign-auditor@example.org"),
    globalAuditor: await byEmail("auditor@margin.demo"),
    admin: await byEmail("admin@margin.demo"),
  };
  const keys = {} as Record<SignedIn, string>;
  for (const [caller, id] of Object.entries(userIds) as [SignedIn, string][]) keys[caller] = (await createApiKey(db, { userId: id, name: `matrix ${caller}` })).key;

  const camps = {} as Record<Kind, Camp>;
  for (const kind of ["invite", "public"] as const) {
    const [row] = await db
      .insert(campaigns)
      .values({
        slug: `${kind}-study`,
        name: kind === "public" ? "Public study" : "Private study",
        rubric: { type: "binary", labels: ["no", "yes"] },
        routingPolicy: { confidenceThreshold: 0.5, tailThreshold: 0.9, controlRate: 0.1 },
        visibility: kind,
        status: "active",
        ownerId: researcher,
      })
      .returning();
    const id = row!.id;
    await db.insert(campaignMembers).values([
      { campaignId: id, userId: researcher, role: "owner" },
      { campaignId: id, userId: userIds.auditor, role: "auditor" },
      { campaignId: id, userId: userIds.annotator, role: "annotator" },
    ]);
    // Items the judge is unsure of: every routing run sends them all to people (π = 1).
    await db.insert(items).values(Array.from({ length: 40 }, (_, i) => ({ campaignId: id, externalId: `${kind}-${i}`, input: `question ${i}`, output: `answer ${i}`, judgeScore: i % 2, judgeConfidence: 0.1 })));
    await runRouting(db, id, { actorId: researcher });
    const [imp] = await db
      .insert(imports)
      .values({ campaignId: id, userId: researcher, format: "jsonl", status: "succeeded", rowsTotal: 1, rowsRejected: 1, errors: [{ line: 1, reason: "missing output" }] })
      .returning({ id: imports.id });
    const [exp] = await db.insert(exports).values({ campaignId: id, kind: "items", format: "csv", manifest: { files: [] } }).returning({ id: exports.id });
    const camp: Camp = { kind, id, slug: row!.slug, importId: imp!.id, exportId: exp!.id, judgmentId: 0, flagId: 0, assignmentId: 0 };
    await lease({ userIds } as Fixture, camp);
    camp.judgmentId = (await submitJudgment(db, row!, userIds.annotator, { assignmentId: camp.assignmentId, value: 0 })).judgmentId;
    camps[kind] = camp;
  }
  const stranger = await mk("stranger@example.org");
  const { id: strangerKeyId } = await createApiKey(db, { userId: stranger, name: "not yours" });
  return { userIds, keys, victimId: await mk("victim@example.org"), strangerKeyId, camps };
}

const as = (f: Fixture, caller: Caller) => (session.current = caller === "anonymous" ? null : { user: { id: f.userIds[caller] } });

/** What a page or layout did for the current caller (see PageSpec). */
async function pageOutcome(page: (props: unknown) => unknown, params: Record<string, string>, slug?: string): Promise<{ outcome: Outcome; listed: 0 | 1 }> {
  let tree: unknown;
  try {
    tree = await page({ params: Promise.resolve(params), searchParams: Promise.resolve({}), children: null });
  } catch (e) {
    const digest = (e as { digest?: unknown } | null)?.digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT;")) return { outcome: `→${digest.split(";")[2]}`, listed: 0 };
    const fallback = typeof digest === "string" && /^NEXT_HTTP_ERROR_FALLBACK;(\d+)$/.exec(digest);
    if (fallback) return { outcome: Number(fallback[1]), listed: 0 };
    throw e;
  }
  let denied: AppError | null = null;
  let listed: 0 | 1 = 0;
  const seen = new Set<unknown>();
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== "object" || seen.has(node) || depth > 60) {
      if (slug && typeof node === "string" && node.includes(`/campaigns/${slug}`)) listed = 1;
      return;
    }
    seen.add(node);
    if (Array.isArray(node)) return node.forEach((n) => visit(n, depth + 1));
    if (isValidElement(node)) {
      const el = node as ReactElement<Record<string, unknown>>;
      if (el.type === AccessDenied) denied ??= (el.props as { error: AppError }).error;
      for (const v of Object.values(el.props)) visit(v, depth + 1);
    }
  };
  visit(tree, 0);
  return { outcome: denied ? (denied as AppError).status : 200, listed };
}

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

  it("has an entry for every exported HTTP method of every route, every server action and every page in app/", async () => {
    expect(Object.keys(routeSpecs).sort()).toEqual(routeFiles.filter((r) => !(r in EXEMPT_ROUTES)));
    expect(routeFiles.length).toBeGreaterThan(20);
    for (const file of routeFiles) {
      const exported = await exportedMethods(file);
      // The source and the module agree (a method that discovery missed would go untested), and every route exports one.
      expect(exported, file).toEqual(declaredMethods(file));
      expect(exported.length, file).toBeGreaterThan(0);
      const specified = file in EXEMPT_ROUTES ? EXEMPT_ROUTES[file]! : Object.keys(routeSpecs[file] ?? {});
      expect([...specified].sort(), `methods of ${file}`).toEqual(exported);
    }
    const exportedActions: string[] = [];
    for (const file of actionFiles) for (const name of Object.keys(await load<Record<string, unknown>>(file))) exportedActions.push(`${file}#${name}`);
    expect(Object.keys(actionSpecs).sort()).toEqual(exportedActions.sort());
    expect(Object.keys(pageSpecs).sort()).toEqual(pageFiles);
    for (const file of pageFiles) expect(typeof (await load<{ default?: unknown }>(file)).default, file).toBe("function");
  });

  it("discovers methods from the module: a route that does not export a method has no handler for it (Next answers 405)", async () => {
    const mod = await load<Record<string, unknown>>("app/api/v1/campaigns/[id]/members/route.ts");
    expect(await exportedMethods("app/api/v1/campaigns/[id]/members/route.ts")).toEqual(["GET", "POST"]);
    for (const m of ["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) expect(mod[m]).toBeUndefined();
    expect(declaredMethods("app/api/auth/[...nextauth]/route.ts")).toEqual(["GET", "POST"]);
  });

  for (const kind of ["invite", "public"] as const) {
    describe(`${kind} campaign`, () => {
      for (const [file, methods] of Object.entries(routeSpecs)) {
        for (const [method, spec] of Object.entries(methods) as [Method, RouteSpec][]) {
          it(`${method} ${file}`, async () => {
            const c = f.camps[kind];
            const mod = await load<Record<string, (req: Request, ctx: unknown) => Promise<Response>>>(file);
            const call = async (headers: Record<string, string>) => {
              await spec.prepare?.(f, c);
              const body = spec.body?.(f, c);
              const req = new Request("http://localhost/x", {
                method,
                headers: { host: "localhost", "content-type": "application/json", ...headers },
                body: body === undefined ? undefined : JSON.stringify(body),
              });
              const res = await mod[method]!(req, { params: Promise.resolve(spec.params(f, c)) });
              if (res.status >= 400) expect((await res.json()) as unknown).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
              await spec.reset?.(f, c);
              return res.status;
            };
            const got: Partial<Expect> = {};
            const byKey: Partial<Expect> = {};
            for (const caller of CALLERS) {
              as(f, caller);
              got[caller] = await call({ origin: "http://localhost" });
            }
            // The same people with a bearer key and no session: a key never does more than its owner may.
            session.current = null;
            for (const caller of CALLERS) byKey[caller] = caller === "anonymous" ? got.anonymous : await call({ authorization: `Bearer ${f.keys[caller]}` });
            const want = expectFor(spec.expect, kind);
            expect(got).toEqual(want);
            expect(byKey, "with API keys").toEqual(want);
          });
        }
      }

      for (const [key, spec] of Object.entries(actionSpecs)) {
        it(`action ${key}`, async () => {
          const c = f.camps[kind];
          const [file, name] = key.split("#") as [string, string];
          const mod = await load<Record<string, (prev: unknown, fd: FormData) => Promise<{ code?: ErrorCode; success?: string } | undefined>>>(file);
          const got: Partial<Expect> = {};
          for (const caller of CALLERS) {
            await spec.prepare?.(f, c);
            as(f, caller);
            const fd = new FormData();
            for (const [k, v] of Object.entries(spec.form(f, c, caller))) fd.set(k, v);
            try {
              const result = await mod[name]!(undefined, fd);
              got[caller] = result?.code ? statusOf(result.code) : result?.success !== undefined ? 200 : 500;
            } catch (e) {
              // A successful action may end in redirect(), which Next signals by throwing.
              got[caller] = String((e as { digest?: string }).digest ?? "").startsWith("NEXT_REDIRECT") ? 200 : 500;
            }
          }
          await spec.cleanup?.(f, c);
          expect(got).toEqual(expectFor(spec.expect, kind));
        });
      }

      for (const [file, spec] of Object.entries(pageSpecs)) {
        it(`page ${file}`, async () => {
          const c = f.camps[kind];
          const page = (await load<{ default: (props: unknown) => unknown }>(file)).default;
          const got: Partial<Expect> = {};
          const listed: Partial<Expect> = {};
          for (const caller of CALLERS) {
            as(f, caller);
            const r = await pageOutcome(page, spec.params?.(c) ?? {}, c.slug);
            got[caller] = r.outcome;
            listed[caller] = r.listed;
          }
          const want = Object.fromEntries(Object.entries(expectFor(spec.expect, kind)).map(([k, o]) => [k, o === 401 ? SIGN_IN : o]));
          expect(got).toEqual(want);
          if (spec.listed) expect(listed, "campaign listed").toEqual(spec.listed[kind]);
        });
      }
    });
  }

  it("lets a signed-in contributor join a public campaign and then rate, never an invite-only one", async () => {
    const next = await load<Record<string, (req: Request, ctx: unknown) => Promise<Response>>>("app/api/campaigns/[slug]/assignments/next/route.ts");
    const join = await load<Record<string, (req: Request, ctx: unknown) => Promise<Response>>>("app/api/campaigns/[slug]/join/route.ts");
    const post = (mod: typeof next, c: Camp) =>
      mod.POST!(new Request("http://localhost/x", { method: "POST", headers: { host: "localhost", origin: "http://localhost" } }), { params: Promise.resolve({ slug: c.slug }) });
    as(f, "contributor");
    expect((await post(next, f.camps.public)).status).toBe(403);
    expect((await post(join, f.camps.public)).status).toBe(200);
    const res = await post(next, f.camps.public);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { item: { assignmentId: number } | null }).item?.assignmentId).toBeGreaterThan(0);
    expect((await post(join, f.camps.invite)).status).toBe(404);
    expect((await post(next, f.camps.invite)).status).toBe(404);
    await unjoin(f, f.camps.public);
  });

  it("never serves one campaign's records under another campaign's id", async () => {
    const errors = await load<Record<string, (req: Request, ctx: unknown) => Promise<Response>>>("app/api/v1/campaigns/[id]/imports/[importId]/errors/route.ts");
    const manifest = await load<Record<string, (req: Request, ctx: unknown) => Promise<Response>>>("app/api/v1/campaigns/[id]/exports/manifests/[exportId]/route.ts");
    const get = (mod: typeof errors, params: Record<string, string>) => mod.GET!(new Request("http://localhost/x", { headers: { host: "localhost" } }), { params: Promise.resolve(params) });
    as(f, "researcher");
    const { invite, public: pub } = f.camps;
    expect((await get(errors, { id: pub.id, importId: invite.importId })).status).toBe(404);
    expect((await get(manifest, { id: pub.id, exportId: invite.exportId })).status).toBe(404);
    expect((await get(errors, { id: invite.id, importId: invite.importId })).status).toBe(200);
  });

  it("refuses cross-site cookie mutations but accepts API keys without an Origin", async () => {
    const mod = await import("@/app/api/v1/campaigns/[id]/members/route");
    as(f, "researcher");
    const id = f.camps.invite.id;
    const post = (headers: Record<string, string>) =>
      mod.POST(new Request("http://localhost/x", { method: "POST", headers: { host: "localhost", "content-type": "application/json", ...headers }, body: JSON.stringify({ email: `x${++counter}@example.org`, role: "annotator" }) }), { params: Promise.resolve({ id }) });
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
    const id = f.camps.invite.id;
    const send = (body: string) =>
      mod.POST(new Request("http://localhost/x", { method: "POST", headers: { host: "localhost", origin: "http://localhost", "content-type": "application/json" }, body }), { params: Promise.resolve({ id }) });
    const bad = await send(JSON.stringify({ email: "not-an-email", role: "annotator" }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "bad_request", field: "email" } });
    const badRole = await send(JSON.stringify({ email: "a@example.org", role: "owner" }));
    expect(await badRole.json()).toMatchObject({ error: { field: "role" } });
    expect((await send("{not json")).status).toBe(400);
    expect((await send(JSON.stringify({ email: "a@example.org", role: "annotator", pad: "x".repeat(5000) }))).status).toBe(413);
  });
});
