/**
 * Reports and exports on a real streaming replica (db/replica.ts): read-your-writes on a caught-up replica, the
 * primary when replay lags past REPORTS_MAX_LAG_MS, the replica again once it catches up; and the start-up checks
 * (unreachable, not a replica, an embedded primary), each a warning and reads from the primary.
 *
 * The replica cases need the run's replica (MARGIN_TEST_REPLICA=1 with DATABASE_URL; tests/integration/
 * global-replica.ts); the checks run on every backend the run has.
 */
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq, notExists, sql } from "drizzle-orm";
import postgres from "postgres";
import { getDb } from "@/db";
import { reportsRead, type ReadFreshness } from "@/db/replica";
import { reportWatermark } from "@/db/queries/report";
import { campaigns, items, judgments, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { computeReport, DEFAULT_REPORT_PARAMS, getReport, settleReportCache, type Report } from "@/lib/report";
import { backends, useAppDatabase } from "./backends";
import { replicaPort } from "./replica-support";
import { freePort as closedPort } from "../fixtures/free-port";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Route = { GET: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> };
const SETTINGS = ["REPORTS_MAX_LAG_MS", "REPORTS_CATCHUP_WAIT_MS", "REPORTS_RECHECK_MS"] as const;
const params = { ...DEFAULT_REPORT_PARAMS, minN: 5 };
/** A report without its clock time: two computations of the same data compare equal (toEqual: a cached report's
 *  keys come back from jsonb in another order). */
const body = (r: Report) => ({ ...r, computedAt: null });

describe.each(backends())("replica checks on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    for (const k of [...SETTINGS, "REPORTS_DATABASE_URL"]) saved[k] = process.env[k];
    // Opened (and migrated) here, under the hook's longer limit, rather than by the first read in a test.
    await getDb();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    // Forget the checks made under this test's settings (the primary stays open).
    await (await import("@/db/replica")).closeReplica();
  });
  afterAll(async () => {
    await drop();
  });

  /** reportsRead() under a REPORTS_DATABASE_URL, with console.warn captured. */
  async function readWith(url: string) {
    process.env.REPORTS_DATABASE_URL = url;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const first = await reportsRead();
    const second = await reportsRead();
    return { first, second, warnings: warn.mock.calls.map((c) => String(c[0])) };
  }

  it("an unreachable REPORTS_DATABASE_URL: one clear warning, and reads from the primary", async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/margin_nowhere`;
    const { first, second, warnings } = await readWith(url);
    const primary = await getDb();
    for (const r of [first, second]) {
      expect(r.db).toBe(primary);
      // The URL an export's COPY connects to: the server itself, also when DATABASE_URL is a pooler.
      expect(r.url).toBe(process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL || undefined);
    }
    // Once, not per read; it names the address (without credentials) and what happens now.
    expect(warnings).toHaveLength(1);
    if (backend.name === "postgres") {
      expect(first.freshness).toEqual({ source: "primary", replayedAt: null, lagMs: null, reason: "replica unreachable" });
      expect(warnings[0]).toMatch(/REPORTS_DATABASE_URL \(127\.0\.0\.1:\d+\/margin_nowhere\) cannot be reached/);
    } else {
      // An embedded primary has no replica whatever the URL says: that is the problem reported.
      expect(first.freshness).toEqual({ source: "primary", replayedAt: null, lagMs: null, reason: "a replica needs a PostgreSQL primary" });
      expect(warnings[0]).toMatch(/the primary is the embedded database \(DATABASE_URL is unset\)/);
    }
    expect(warnings[0]).toMatch(/Reports and exports read from the primary until it is fixed \(checked again every 60 s\)/);
  });

  // The cases below need a PostgreSQL primary; on the embedded one the test above covers the one problem there is.
  if (backend.name === "postgres") it("a server that is not a replica (the primary itself, or another of its databases): a warning, and reads from the primary", async () => {
    const other = new URL(process.env.DATABASE_URL!);
    other.pathname = "/postgres";
    for (const url of [process.env.DATABASE_URL!, other.toString()]) {
      vi.restoreAllMocks();
      await (await import("@/db/replica")).closeReplica();
      const { first, warnings } = await readWith(url);
      expect(first.db).toBe(await getDb());
      expect(first.freshness).toEqual({ source: "primary", replayedAt: null, lagMs: null, reason: "the configured replica is not a replica" });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/is not a replica: pg_is_in_recovery\(\) is false \(it is the primary itself, or a promoted copy of it\)/);
    }
  });

  if (backend.name === "postgres") it("a problem is checked again after REPORTS_RECHECK_MS, and a new verdict is logged anew", async () => {
    process.env.REPORTS_RECHECK_MS = "0";
    const { first, warnings } = await readWith(`postgres://postgres@127.0.0.1:${await closedPort()}/margin_nowhere`);
    expect(first.freshness.reason).toBe("replica unreachable");
    expect(warnings).toHaveLength(1);
    // What answers at the configured address changes (here: the operator points it at another server). With
    // rechecks due at once, the next read checks again and finds the new problem. (A replica found sound on a
    // recheck is used from then on: "reports on the streaming replica" below.)
    process.env.REPORTS_DATABASE_URL = process.env.DATABASE_URL;
    expect((await reportsRead()).freshness.reason).toBe("the configured replica is not a replica");
    const all = vi.mocked(console.warn).mock.calls.map((c) => String(c[0]));
    expect(all).toHaveLength(2);
    expect(all[1]).toMatch(/is not a replica/);
  });
});

// Defined only when the run has a replica (as the PostgreSQL cases exist only when DATABASE_URL is set). The
// backend is taken now: useAppDatabase points DATABASE_URL at each file's own database, which is dropped after it.
const port = replicaPort();
const pg = backends().find((b) => b.name === "postgres");
if (port !== null && pg) describe("reports on the streaming replica", () => {
  let drop: () => Promise<void> = async () => {};
  let campaignId = "";
  let researcherId = "";
  let route: Route;
  let replicaAdmin: postgres.Sql;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    drop = await useAppDatabase(pg);
    for (const k of [...SETTINGS, "REPORTS_DATABASE_URL"]) saved[k] = process.env[k];
    // useAppDatabase points reports at this database's replica.
    expect(process.env.REPORTS_DATABASE_URL).toMatch(new RegExp(`:${port}/`));
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 300 }));
    researcherId = (await db.select({ id: users.id }).from(users).where(eq(users.email, "researcher@margin.demo")))[0]!.id;
    route = (await import("@/app/api/v1/campaigns/[id]/report/route")) as unknown as Route;
    const admin = new URL(process.env.REPORTS_DATABASE_URL!);
    admin.pathname = "/postgres";
    replicaAdmin = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterAll(async () => {
    // Replay is never left paused, whatever failed: every other test file reads through this replica.
    await replicaAdmin?.unsafe("select pg_wal_replay_resume()").catch(() => {});
    await replicaAdmin?.end();
    await settleReportCache();
    await drop();
  });

  const campaign = async () => (await (await getDb()).select().from(campaigns).where(eq(campaigns.id, campaignId)))[0]!;
  /** One new counted rating on the primary: an unrated routed item rated by the researcher. */
  async function rateOne() {
    const db = await getDb();
    const unratedYet = notExists(db.select({ one: sql`1` }).from(judgments).where(eq(judgments.itemId, items.id)));
    const [unrated] = await db.select({ id: items.id }).from(items).where(and(eq(items.campaignId, campaignId), eq(items.routed, true), unratedYet)).orderBy(items.id).limit(1);
    await db.insert(judgments).values({ campaignId, itemId: unrated!.id, annotatorId: researcherId, value: 3 });
  }
  const onPrimary = async () => computeReport(await getDb(), await campaign(), params);

  it("a report read from the replica right after writes on the primary is the primary's, and says where it was read", async () => {
    await rateOne();
    const { report, freshness, reads } = await getReport(await campaign(), params);
    expect(reads).not.toBe(await getDb());
    expect(freshness.source).toBe("replica");
    expect(freshness.lagMs).toBe(0);
    expect(Date.parse(freshness.replayedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(body(report)).toEqual(body(await onPrimary()));

    // The API answer carries the freshness beside the report.
    session.current = { user: { id: researcherId } };
    await rateOne();
    const res = await route.GET(new Request(`http://localhost/x?minN=5`, { headers: { host: "localhost" } }), { params: Promise.resolve({ id: campaignId }) });
    expect(res.status).toBe(200);
    const json = (await res.json()) as Report & { freshness: ReadFreshness };
    expect(json.freshness).toMatchObject({ source: "replica", lagMs: 0 });
    expect(json.overall.counts.labelled).toBe((await onPrimary()).overall.counts.labelled);
  });

  it("with replay paused, a report comes from the primary once the lag passes REPORTS_MAX_LAG_MS, and from the replica again after replay resumes", async () => {
    await settleReportCache();
    const before = await getReport(await campaign(), params);
    expect(before.freshness.source).toBe("replica");
    process.env.REPORTS_CATCHUP_WAIT_MS = "100";
    await replicaAdmin.unsafe("select pg_wal_replay_pause()");
    try {
      for (let i = 0; (await replicaAdmin.unsafe("select pg_get_wal_replay_pause_state() as s"))[0]!.s !== "paused"; i++) {
        if (i > 500) throw new Error("replay did not pause within 5 s");
        await new Promise((r) => setTimeout(r, 10));
      }
      // The replica's last replayed commit is now at least this old, so its lag when the next read begins is larger.
      await new Promise((r) => setTimeout(r, 300));
      await rateOne();
      const primary = await onPrimary();
      expect(primary.overall.counts.labelled).toBe(before.report.overall.counts.labelled + 1);

      // Within a generous limit the replica still serves, visibly behind: its report is the one before the write,
      // keyed by the watermark it read there (older than the primary's), never by the primary's.
      process.env.REPORTS_MAX_LAG_MS = "600000";
      const stale = await getReport(await campaign(), params);
      expect(stale.freshness.source).toBe("replica");
      expect(stale.freshness.lagMs).toBeGreaterThanOrEqual(300);
      expect(Date.parse(stale.freshness.replayedAt!)).toBeLessThan(Date.now() - 300);
      expect(stale.report.watermark).toBe(before.report.watermark);
      expect(stale.report.watermark).not.toBe(await reportWatermark(await getDb(), campaignId));
      expect(body(stale.report)).toEqual(body(before.report));

      // Over the limit: the primary, with the write, and the reason.
      process.env.REPORTS_MAX_LAG_MS = "50";
      const fresh = await getReport(await campaign(), params);
      expect(fresh.freshness.source).toBe("primary");
      expect(fresh.freshness.replayedAt).toBeNull();
      expect(fresh.freshness.lagMs).toBeGreaterThanOrEqual(300);
      expect(fresh.freshness.reason).toMatch(/^replica \d+\.\d s behind, over the 0\.05 s limit$/);
      expect(fresh.reads).toBe(await getDb());
      expect(body(fresh.report)).toEqual(body(primary));
    } finally {
      await replicaAdmin.unsafe("select pg_wal_replay_resume()");
    }
    // Replay resumed: the replica catches up within the wait and serves again, with the write.
    process.env.REPORTS_CATCHUP_WAIT_MS = "5000";
    await settleReportCache();
    const after = await getReport(await campaign(), params);
    expect(after.freshness).toMatchObject({ source: "replica", lagMs: 0 });
    expect(body(after.report)).toEqual(body(await onPrimary()));
  });

  it("a replica that could not be reached at first use is used once a later check finds it", async () => {
    // The same address throughout: a port where nothing listens yet, later a plain TCP relay to the replica.
    const relayPort = await closedPort();
    const url = new URL(process.env.REPORTS_DATABASE_URL!);
    url.port = String(relayPort);
    process.env.REPORTS_DATABASE_URL = url.toString();
    process.env.REPORTS_RECHECK_MS = "0";
    const { closeReplica } = await import("@/db/replica");
    await closeReplica();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    expect((await reportsRead()).freshness).toMatchObject({ source: "primary", reason: "replica unreachable" });
    expect(warn).toHaveBeenCalledTimes(1);
    const relay = net.createServer((client) => {
      const upstream = net.connect(port!, "127.0.0.1");
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(relayPort, "127.0.0.1", resolve));
    try {
      const later = await reportsRead();
      expect(later.freshness).toMatchObject({ source: "replica", lagMs: 0 });
      expect(later.url).toBe(url.toString());
      expect(info).toHaveBeenCalledTimes(1);
      expect(String(info.mock.calls[0]![0])).toMatch(/is a replica of the primary again/);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      await closeReplica();
      relay.close();
    }
  });
});
