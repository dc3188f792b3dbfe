/**
 * Reads for reports and exports from a streaming replica (REPORTS_DATABASE_URL), with a statement of how fresh
 * they are, and the primary whenever the replica is missing, not a replica of this primary, or too far behind.
 *
 * Per read (`reportsRead()`): the primary's WAL position (`pg_current_wal_lsn()`) and clock, then the replica's
 * replay position and last replayed commit time. A replica that has replayed up to that position holds everything
 * committed before the read began, so what a researcher just imported is in their report (read-your-writes); it
 * usually gets there within milliseconds, so the read waits for it briefly (REPORTS_CATCHUP_WAIT_MS). A replica
 * still behind after that is used only if its lag is within REPORTS_MAX_LAG_MS; otherwise the primary is read.
 * Nothing about the replica's position is cached: it is two tiny queries a read, and a cached answer would be stale.
 *
 * Whether REPORTS_DATABASE_URL is usable at all (reachable, in recovery, the same system identifier as the primary)
 * is checked at first use, at server start (instrumentation.ts) and again every REPORTS_RECHECK_MS; a problem is
 * logged once with console.warn, and reads go to the primary until a later check finds the replica sound.
 */
import { sql } from "drizzle-orm";
import { getDb, rowsOf, type Db, type DbHandle } from "./index";
import { directDatabaseUrl } from "./client";

/** Where a report or export was read, and how current that database was. Per response; never cached. */
export type ReadFreshness = {
  source: "replica" | "primary";
  /**
   * The moment up to which the replica had replayed the primary's changes (ISO 8601, UTC): the primary's clock when
   * the read began if the replica had caught up with it, else the commit time of the last transaction it replayed.
   * Null when the primary was read.
   */
  replayedAt: string | null;
  /**
   * The replica's lag behind the primary when the read began, in milliseconds: 0 when caught up, else the time since
   * its last replayed commit (an upper bound). Also given when the primary was read because the replica was too far
   * behind; null when it was not measured (no replica configured, or not usable).
   */
  lagMs: number | null;
  /** Why the primary was read although a replica is configured (absent when none is configured); no addresses. */
  reason?: string;
};

export type ReadTarget = {
  db: Db;
  /** The PostgreSQL URL behind `db` (the COPY path opens its own connection there); absent on the embedded database. */
  url?: string;
  freshness: ReadFreshness;
};

export type ReplicaSettings = { maxLagMs: number; catchupWaitMs: number; recheckMs: number };

const ms = (name: string, dflt: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return dflt;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : dflt;
};

/** The settings in force, read from the environment on every call (milliseconds; unreadable values keep the default). */
export function replicaSettings(): ReplicaSettings {
  return {
    maxLagMs: ms("REPORTS_MAX_LAG_MS", 30_000),
    catchupWaitMs: ms("REPORTS_CATCHUP_WAIT_MS", 500),
    recheckMs: ms("REPORTS_RECHECK_MS", 60_000),
  };
}

/** host:port/database of a URL, for messages: never the user name or password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(an unreadable URL)";
  }
}

/** What a start-up check found, as the facts the verdict is drawn from (pure, so each case can be unit-tested). */
export type ReplicaProbe =
  | { reachable: false; error: string }
  | { reachable: true; inRecovery: boolean; systemId: string; primarySystemId: string | null };

/**
 * The problem with a replica, or null when it can serve reads: `log` for the server's log (with the details an
 * operator needs), `reason` for the freshness of a report (shown to its readers, so no addresses or error texts).
 */
export type ReplicaProblem = { log: string; reason: string };

export function replicaProblem(probe: ReplicaProbe): ReplicaProblem | null {
  if (!probe.reachable) return { log: `cannot be reached (${probe.error})`, reason: "replica unreachable" };
  // A different cluster is the more fundamental mistake: say so even if it is not in recovery either.
  if (probe.primarySystemId !== null && probe.systemId !== probe.primarySystemId) {
    return {
      log: `belongs to another PostgreSQL cluster (system identifier ${probe.systemId}, the primary's is ${probe.primarySystemId})`,
      reason: "the configured replica belongs to another database cluster",
    };
  }
  if (!probe.inRecovery) {
    return {
      log: probe.primarySystemId !== null
        ? "is not a replica: pg_is_in_recovery() is false (it is the primary itself, or a promoted copy of it)"
        : "is not a replica: pg_is_in_recovery() is false",
      reason: "the configured replica is not a replica",
    };
  }
  return null;
}

type Health = { url: string; primaryUrl: string | undefined; ok: boolean; problem: ReplicaProblem | null; checkedAt: number };
type State = {
  health?: Health;
  checking?: Promise<Health>;
  /** The last problem logged, so a recheck that finds the same one stays quiet. */
  warned?: string | null;
  pool?: { url: string; handle: Promise<DbHandle> };
};
// On globalThis: Next loads this module in more than one bundle (instrumentation, routes), and dev-mode hot reload
// re-evaluates it; one state per process keeps one pool and one warning.
const state: State = ((globalThis as { __marginReplica?: State }).__marginReplica ??= {});

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 200);

function withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** One short-lived connection for a check, so a check never waits behind (or poisons) a pool. */
async function probeQuery<T>(url: string, query: string): Promise<T> {
  const { default: postgres } = await import("postgres");
  const client = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {}, fetch_types: false, idle_timeout: 1 });
  try {
    const rows = await withTimeout(client.unsafe(query), 8_000, describeUrl(url));
    return rows[0] as T;
  } finally {
    await client.end({ timeout: 1 }).catch(() => {});
  }
}

async function probe(url: string, primaryUrl: string): Promise<ReplicaProbe> {
  let replica: { in_recovery: boolean; system_id: string };
  try {
    replica = await probeQuery(url, "select pg_is_in_recovery() as in_recovery, (pg_control_system()).system_identifier::text as system_id");
  } catch (e) {
    return { reachable: false, error: errorText(e) };
  }
  // The primary's identifier is what makes "a replica of this primary" checkable; when the primary cannot be asked
  // (it is down: every request fails anyway) the replica is judged on recovery alone.
  const primary = await probeQuery<{ system_id: string }>(primaryUrl, "select (pg_control_system()).system_identifier::text as system_id").catch(() => null);
  return { reachable: true, inRecovery: replica.in_recovery, systemId: replica.system_id, primarySystemId: primary?.system_id ?? null };
}

function record(url: string, primaryUrl: string | undefined, problem: ReplicaProblem | null): Health {
  const health: Health = { url, primaryUrl, ok: problem === null, problem, checkedAt: Date.now() };
  state.health = health;
  if (problem !== null && state.warned !== problem.log) {
    console.warn(
      `margin: REPORTS_DATABASE_URL (${describeUrl(url)}) ${problem.log}. Reports and exports read from the primary until it is fixed ` +
        `(checked again every ${Math.round(replicaSettings().recheckMs / 1000)} s).`,
    );
  } else if (problem === null && state.warned) {
    console.info(`margin: REPORTS_DATABASE_URL (${describeUrl(url)}) is a replica of the primary again; reports and exports read from it.`);
  }
  state.warned = problem?.log ?? null;
  return health;
}

/**
 * Whether REPORTS_DATABASE_URL can serve reads: from the last check when it is recent (REPORTS_RECHECK_MS), else
 * checked now (concurrent callers share one check). Never throws.
 */
export async function checkReplica(force = false): Promise<Health | null> {
  const url = process.env.REPORTS_DATABASE_URL || undefined;
  const primaryUrl = process.env.DATABASE_URL || undefined;
  if (!url) return null;
  const h = state.health;
  const fresh = h && h.url === url && h.primaryUrl === primaryUrl && Date.now() - h.checkedAt < replicaSettings().recheckMs;
  if (fresh && !force) return h;
  state.checking ??= (async () => {
    if (!primaryUrl) {
      return record(url, primaryUrl, {
        log: "is set but the primary is the embedded database (DATABASE_URL is unset); a streaming replica needs a PostgreSQL primary",
        reason: "a replica needs a PostgreSQL primary",
      });
    }
    // The primary's identifier is asked of the server itself when DATABASE_URL is a pooler (PgBouncer).
    return record(url, primaryUrl, replicaProblem(await probe(url, process.env.DATABASE_DIRECT_URL?.trim() || primaryUrl)));
  })()
    .catch((e: unknown) => record(url, primaryUrl, { log: `could not be checked (${errorText(e)})`, reason: "the replica could not be checked" }))
    .finally(() => {
      state.checking = undefined;
    });
  return state.checking;
}

/** The start-up check (instrumentation.ts): logs a problem at once instead of at the first report. */
export async function checkReplicaOnStart(): Promise<void> {
  await checkReplica(true);
}

/** The replica's pool (opened once per URL; never migrated: its primary is). */
function replicaDb(url: string): Promise<Db> {
  if (state.pool?.url !== url) {
    const previous = state.pool?.handle;
    state.pool = { url, handle: import("./client").then(({ openDb }) => openDb({ url, hotPool: false, pooler: false })) };
    if (previous) void previous.then((h) => h.close()).catch(() => {});
  }
  const pool = state.pool;
  return pool.handle.then(
    (h) => h.db,
    (e: unknown) => {
      if (state.pool === pool) state.pool = undefined;
      throw e;
    },
  );
}

/** Close the replica's pool and forget every check (closeDb; tests switch databases between files). */
export async function closeReplica(): Promise<void> {
  const pool = state.pool;
  state.pool = undefined;
  state.health = undefined;
  state.warned = undefined;
  if (pool) await (await pool.handle.catch(() => null))?.close();
}

const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

/**
 * Choose between a primary and its replica for one read (the logic of reportsRead, on given databases). Throws when
 * the replica cannot be queried; the caller decides what that means.
 */
export async function chooseReads(primary: Db, replica: Db, settings: Pick<ReplicaSettings, "maxLagMs" | "catchupWaitMs"> = replicaSettings()): Promise<{ db: Db; freshness: ReadFreshness }> {
  const [p] = rowsOf<{ lsn: string; now: string }>(
    await primary.execute(sql`select pg_current_wal_lsn()::text as lsn, to_json(clock_timestamp()) #>> '{}' as now`).catch((e: unknown) => {
      throw new PrimaryFailed(e);
    }),
  );
  const primaryNow = new Date(p!.now);
  const started = Date.now();
  // Short polls first (replay on a healthy replica takes a few milliseconds), then at most every 50 ms.
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const [r] = rowsOf<{ caught_up: boolean; replayed: string | null; in_recovery: boolean }>(
      await replica.execute(sql`select pg_is_in_recovery() as in_recovery,
        coalesce(pg_last_wal_replay_lsn() >= ${p!.lsn}::pg_lsn, false) as caught_up,
        to_json(pg_last_xact_replay_timestamp()) #>> '{}' as replayed`),
    );
    if (!r!.in_recovery) throw new NotAReplica();
    if (r!.caught_up) return { db: replica, freshness: { source: "replica", replayedAt: primaryNow.toISOString(), lagMs: 0 } };
    const waited = Date.now() - started;
    if (waited >= settings.catchupWaitMs) {
      const replayed = r!.replayed === null ? null : new Date(r!.replayed);
      const lagMs = replayed === null ? null : Math.max(0, primaryNow.getTime() - replayed.getTime());
      if (lagMs !== null && lagMs <= settings.maxLagMs) {
        return { db: replica, freshness: { source: "replica", replayedAt: replayed!.toISOString(), lagMs } };
      }
      const behind = lagMs === null ? "replica behind (no replayed commit to date it)" : `replica ${(lagMs / 1000).toFixed(1)} s behind`;
      return { db: primary, freshness: { source: "primary", replayedAt: null, lagMs, reason: `${behind}, over the ${settings.maxLagMs / 1000} s limit` } };
    }
    await sleep(Math.min(pause, settings.catchupWaitMs - waited));
  }
}

class NotAReplica extends Error {
  constructor() {
    super("pg_is_in_recovery() is false");
  }
}

/** The primary's own query failed: the request fails as any other would (503), and the replica is not blamed. */
class PrimaryFailed extends Error {
  constructor(readonly original: unknown) {
    super("the primary did not answer");
  }
}

/**
 * The database a report or export reads, with its freshness: the replica when REPORTS_DATABASE_URL is set and
 * sound and near enough, else the primary. Use the returned db for every read of one report or export, the report
 * cache's watermark included, so a cached report is never keyed by a newer watermark than its data.
 */
export async function reportsRead(): Promise<ReadTarget> {
  const primary = await getDb();
  // The URL a long COPY export opens a connection of its own on: the server itself, not a transaction pooler
  // (a pooled session would be pinned for the whole download and its `set jit = off` could leak to other clients).
  const primaryUrl = directDatabaseUrl();
  const onPrimary = (freshness: ReadFreshness): ReadTarget => ({ db: primary, url: primaryUrl, freshness });
  const health = await checkReplica();
  if (!health) return onPrimary({ source: "primary", replayedAt: null, lagMs: null });
  if (!health.ok) return onPrimary({ source: "primary", replayedAt: null, lagMs: null, reason: health.problem!.reason });
  const settings = replicaSettings();
  try {
    const replica = await replicaDb(health.url);
    // The bound covers a replica that stopped answering without refusing connections (a network partition).
    const chosen = await withTimeout(chooseReads(primary, replica, settings), settings.catchupWaitMs + 5_000, `the replica at ${describeUrl(health.url)}`);
    return { db: chosen.db, url: chosen.db === replica ? health.url : primaryUrl, freshness: chosen.freshness };
  } catch (e) {
    if (e instanceof PrimaryFailed) throw e.original;
    // The replica went away or was promoted since it was last checked: say so once, read the primary, and leave
    // the next check to the usual interval.
    const problem: ReplicaProblem = e instanceof NotAReplica
      ? { log: "is not a replica any more: pg_is_in_recovery() is false (was it promoted?)", reason: "the configured replica is not a replica" }
      : { log: `cannot be reached (${errorText(e)})`, reason: "replica unreachable" };
    record(health.url, health.primaryUrl, problem);
    return onPrimary({ source: "primary", replayedAt: null, lagMs: null, reason: problem.reason });
  }
}
