/**
 * The app behind PgBouncer in transaction pooling mode (docs/operations.md, "PgBouncer"; issue #19): the
 * connections really are pooled (two client sessions share one server session), named prepared statements really
 * do break there (so pooler mode's unnamed ones are needed), pooler mode's hot path and timeouts work through it,
 * a client that still sends startup parameters is refused, and migrations refuse to run without a direct URL.
 *
 * With MARGIN_TEST_POOLER_URL set (CI: scripts/pgbouncer.sh start), the whole integration suite runs through that
 * PgBouncer (tests/integration/backends.ts) and this file checks it; without it, this file starts a PgBouncer of its
 * own on a free port (scripts/pgbouncer.sh; Debian's package must be installed) and stops it afterwards.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { directDatabaseUrl, executePrepared, openDb, poolerMode, requireDirectDatabaseUrl, rowsOf } from "@/db/client";
import { openMigratedDb } from "@/db/migrate";
import { backends, type TestDb } from "./backends";
import { freePort } from "../fixtures/free-port";

const script = path.join(process.cwd(), "scripts", "pgbouncer.sh");

/** The run's PgBouncer, or one of this file's own (the folder to stop it by). */
async function ensurePooler(): Promise<{ url: string; ownDir: string | null }> {
  if (process.env.MARGIN_TEST_POOLER_URL) return { url: process.env.MARGIN_TEST_POOLER_URL, ownDir: null };
  const port = await freePort();
  const dir = `/tmp/margin-pgbouncer-test-${port}`;
  try {
    const out = execFileSync(script, ["start", dir], { env: { ...process.env, PGBOUNCER_PORT: String(port) }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return { url: out.trim().split("\n").at(-1)!, ownDir: dir };
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? e);
    throw new Error(`pooler.test.ts needs PgBouncer (scripts/pgbouncer.sh failed): ${stderr.trim()}\nInstall it with: sudo apt-get install -y pgbouncer`);
  }
}

const ENV = ["DATABASE_POOLER", "DATABASE_URL", "DATABASE_DIRECT_URL"] as const;
let saved: Record<string, string | undefined> = {};
function saveEnv() {
  saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
}
function restoreEnv() {
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
}

describe("pooler settings", () => {
  beforeEach(saveEnv);
  afterEach(restoreEnv);

  it("reads DATABASE_POOLER and refuses what it does not know", () => {
    delete process.env.DATABASE_POOLER;
    expect(poolerMode()).toBe(false);
    process.env.DATABASE_POOLER = "none";
    expect(poolerMode()).toBe(false);
    process.env.DATABASE_POOLER = " PgBouncer ";
    expect(poolerMode()).toBe(true);
    process.env.DATABASE_POOLER = "pgpool";
    expect(() => poolerMode()).toThrow(/DATABASE_POOLER must be "pgbouncer"/);
  });

  it("gives the server itself for session work, and refuses a pooler without a direct URL", () => {
    process.env.DATABASE_URL = "postgres://web@bouncer:6432/margin";
    delete process.env.DATABASE_DIRECT_URL;
    delete process.env.DATABASE_POOLER;
    expect(requireDirectDatabaseUrl("pg-boss")).toBe("postgres://web@bouncer:6432/margin");
    process.env.DATABASE_POOLER = "pgbouncer";
    expect(() => requireDirectDatabaseUrl("pg-boss")).toThrow(/pg-boss needs a session of its own.*DATABASE_DIRECT_URL/);
    process.env.DATABASE_DIRECT_URL = "postgres://worker@db:5432/margin";
    expect(requireDirectDatabaseUrl("pg-boss")).toBe("postgres://worker@db:5432/margin");
    expect(directDatabaseUrl()).toBe("postgres://worker@db:5432/margin");
  });
});

// PgBouncer needs a server behind it; without DATABASE_URL only the settings above run.
const pooler = process.env.DATABASE_URL ? await ensurePooler() : null;
if (pooler) process.env.MARGIN_TEST_POOLER_URL = pooler.url;

describe.each(backends().filter((b) => b.name === "postgres"))("the app through PgBouncer on $name", (backend) => {
  let t: TestDb;
  const clients: postgres.Sql[] = [];
  /** A client of its own: through the pooler (t.url) or to the server (t.directUrl). */
  const client = (url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}) => {
    const c = postgres(url, { max: 1, onnotice: () => {}, fetch_types: false, ...options });
    clients.push(c);
    return c;
  };
  /** A reserved connection through the pooler (postgres.js's reserve() waits for an open connection: open it first). */
  const reserved = async () => {
    const c = client(t.url!);
    await c.unsafe("select 1");
    return c.reserve();
  };
  const pid = async (c: postgres.Sql) => ((await c.unsafe("select pg_backend_pid() as pid")) as unknown as [{ pid: number }])[0].pid;

  beforeAll(async () => {
    t = await backend.open();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end({ timeout: 1 })));
  });
  afterAll(async () => {
    await t?.drop();
    if (pooler?.ownDir) {
      execFileSync(script, ["stop", pooler.ownDir], { stdio: "ignore" });
      fs.rmSync(pooler.ownDir, { recursive: true, force: true });
    }
  });

  it("connects the app's handle through PgBouncer: two client sessions share one server session", async () => {
    const u = new URL(t.url!);
    expect(u.port).toBe(new URL(pooler!.url).port);
    expect(t.directUrl).not.toBe(t.url);
    // One after the other, two separate client connections land on the same server backend (transaction pooling
    // hands the idle server to the next client); two direct connections are always two backends.
    const a = client(t.url!);
    const b = client(t.url!);
    const first = await pid(a);
    expect(await pid(b)).toBe(first);
    const da = client(t.directUrl!);
    const db = client(t.directUrl!);
    expect(await pid(da)).not.toBe(await pid(db));
    // PgBouncer's own console knows the database's pool, in transaction mode.
    const admin = client(Object.assign(new URL(pooler!.url), { pathname: "/pgbouncer" }).toString());
    const pools = (await admin.unsafe("show pools").simple()) as unknown as { database: string; pool_mode: string }[];
    expect(pools.find((p) => p.database === u.pathname.slice(1))).toMatchObject({ pool_mode: "transaction" });
  });

  it("needs unnamed statements: a named prepared statement is missing on the next server session", async () => {
    const named = client(t.url!, { prepare: true });
    const unnamed = client(t.url!, { prepare: false });
    const holderA = await reserved();
    const holderB = await reserved();
    try {
      // A holds one server; the named statement is parsed on another (S); B then holds S, and A lets go of its
      // server, so the statement's next run can only go to a server that never parsed it.
      await holderA.unsafe("begin");
      const held = await pid(holderA as unknown as postgres.Sql);
      const query = (c: postgres.Sql) => c`select ${41}::int + 1 as v, pg_backend_pid() as pid`;
      const [firstRun] = await query(named);
      expect(firstRun!.pid).not.toBe(held);
      await holderB.unsafe("begin");
      expect(await pid(holderB as unknown as postgres.Sql)).toBe(firstRun!.pid);
      await holderA.unsafe("commit");
      // Inside a transaction (the lease and submit run in one), the missing statement aborts it: postgres.js's
      // one re-parse only rescues a statement run on its own, and leaves named statements behind on every server.
      await expect(named.begin((tx) => query(tx as unknown as postgres.Sql))).rejects.toMatchObject({ code: "26000" }); // invalid_sql_statement_name
      // The same statement unnamed (pooler mode) runs wherever it lands.
      expect(await unnamed.begin((tx) => query(tx as unknown as postgres.Sql))).toMatchObject([{ v: 42 }]);
      expect(await query(unnamed)).toMatchObject([{ v: 42, pid: held }]);
    } finally {
      await holderB.unsafe("rollback").catch(() => {});
      await holderA.unsafe("rollback").catch(() => {});
      holderA.release();
      holderB.release();
    }
  });

  it("runs the hot path (executePrepared) and transactions in pooler mode, over many server switches", async () => {
    expect(poolerMode()).toBe(true);
    const pool = await openDb({ url: t.url!, max: 8 });
    const holders = [await reserved(), await reserved()];
    try {
      const probe = (i: number) => sql`select ${i}::int as i, ${JSON.stringify({ i })}::jsonb ->> 'i' as j, pg_backend_pid() as pid`;
      const pids = new Set<number>();
      // Servers taken and given back while the statements run, so they are spread over several server sessions.
      for (let round = 0; round < 4; round++) {
        await holders[round % 2]!.unsafe("begin");
        await holders[round % 2]!.unsafe("select 1");
        const rows = await Promise.all(Array.from({ length: 24 }, (_, i) => executePrepared<{ i: number; j: string; pid: number }>(pool.db, probe(round * 100 + i))));
        rows.forEach((r, i) => expect(r).toMatchObject([{ i: round * 100 + i, j: String(round * 100 + i) }]));
        for (const r of rows) pids.add(r[0]!.pid);
        await holders[round % 2]!.unsafe("commit");
      }
      expect(pids.size).toBeGreaterThan(1);
      // Transaction-local settings are the transaction's; nothing leaks into the server session the next client gets.
      const inside = await pool.db.transaction(async (tx) => {
        await tx.execute(sql`set local lock_timeout = 1234`);
        return rowsOf<{ l: string }>(await executePrepared(tx, sql`select current_setting('lock_timeout') as l`));
      });
      expect(inside).toEqual([{ l: "1234ms" }]);
      const after = await Promise.all(Array.from({ length: 8 }, () => executePrepared<{ l: string }>(pool.db, sql`select current_setting('lock_timeout') as l`)));
      for (const r of after) expect(r).toEqual([{ l: "10s" }]);
    } finally {
      await Promise.all(holders.map((h) => h.unsafe("rollback").catch(() => {})));
      holders.forEach((h) => h.release());
      await pool.close();
    }
  });

  it("keeps the limits as the database's own settings, and refuses a client that sends them at startup", async () => {
    const { dbTimeouts } = await import("@/db/timeouts");
    const limits = dbTimeouts();
    const rows = rowsOf<{ s: string }>(await t.db.execute(sql`select (setting::bigint * case unit when 's' then 1000 else 1 end)::text as s from pg_settings where name = 'statement_timeout'`));
    expect(rows).toEqual([{ s: String(limits.statementMs) }]);
    // Not in pooler mode, postgres.js sends statement_timeout… in the startup packet: PgBouncer refuses it (only
    // extra_float_digits is ignored), so a forgotten DATABASE_POOLER cannot silently run without its limits.
    const plain = client(t.url!, { connection: { statement_timeout: 1000 } });
    await expect(plain.unsafe("select 1")).rejects.toThrow(/unsupported startup parameter: statement_timeout/);
  });

  it("refuses to migrate through the pooler without a direct URL, and migrates with one", async () => {
    await expect(openMigratedDb({ url: t.url!, pooler: true })).rejects.toThrow(/session advisory lock.*DATABASE_DIRECT_URL/);
    const again = await openMigratedDb({ url: t.url!, directUrl: t.directUrl!, max: 2 });
    try {
      const [row] = rowsOf<{ n: number }>(await again.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`));
      expect(row!.n).toBeGreaterThanOrEqual(2);
    } finally {
      await again.close();
    }
  });
});
