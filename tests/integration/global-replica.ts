/**
 * Vitest globalSetup for the integration project: with MARGIN_TEST_REPLICA=1, a real streaming replica of the test
 * server (DATABASE_URL) for the whole run. pg_basebackup copies the cluster into a temporary folder (-R writes
 * primary_conninfo and standby.signal), the copy is started on a free port as the postgres user, and the port is
 * provided to the test files (inject("replicaPort"); tests/integration/replica-support.ts). Every database a test
 * file creates on the primary reaches the replica by streaming, so TestDb.replicaUrl is the same database there.
 *
 * Anything missing (the PostgreSQL binaries, the right user, replication in pg_hba.conf) fails the run with what to
 * do about it: a run that asked for a replica must not quietly test without one.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { freePort } from "../fixtures/free-port";

declare module "vitest" {
  export interface ProvidedContext {
    /** The replica's port on 127.0.0.1, or 0 when the run has none (MARGIN_TEST_REPLICA unset). */
    replicaPort: number;
  }
}

const fail = (message: string): never => {
  throw new Error(`MARGIN_TEST_REPLICA=1: ${message}`);
};

/** The folder of the PostgreSQL binaries matching the server's major version (Debian: /usr/lib/postgresql/N/bin). */
function binDir(major: number): string {
  const dir = `/usr/lib/postgresql/${major}/bin`;
  if (!fs.existsSync(path.join(dir, "pg_basebackup")) || !fs.existsSync(path.join(dir, "pg_ctl"))) {
    const found = fs.existsSync("/usr/lib/postgresql") ? fs.readdirSync("/usr/lib/postgresql").join(", ") : "none";
    fail(`pg_basebackup and pg_ctl for PostgreSQL ${major} are not in ${dir} (found versions: ${found}). Install them with: apt-get install postgresql-${major}`);
  }
  return dir;
}

type Run = { status: number | null; output: string };
// Ten minutes: enough for pg_basebackup to copy a test cluster swollen by leftover benchmark databases (6.5 GB took
// over two minutes on the loaded test machine), while a hung command still ends the run.
const run = (file: string, argv: string[], input?: string): Run => {
  const r = spawnSync(file, argv, { encoding: "utf8", timeout: 600_000, input });
  return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim() };
};

/**
 * How this run becomes the postgres user (PostgreSQL refuses to run as root): directly when it is postgres, through
 * runuser when root, through passwordless sudo otherwise (CI as an ordinary user); null when none of these works.
 */
function postgresUser(): ((cmd: string, args: string[], input?: string) => Run) | null {
  const user = os.userInfo().username;
  if (user === "postgres") return (cmd, args, input) => run(cmd, args, input);
  if (user === "root") return (cmd, args, input) => run("runuser", ["-u", "postgres", "--", cmd, ...args], input);
  if (run("sudo", ["-n", "-u", "postgres", "true"]).status === 0) return (cmd, args, input) => run("sudo", ["-n", "-u", "postgres", "--", cmd, ...args], input);
  return null;
}

export default async function setup(project: TestProject) {
  if (process.env.MARGIN_TEST_REPLICA !== "1") {
    project.provide("replicaPort", 0);
    return;
  }
  const started = Date.now();
  const base = process.env.DATABASE_URL || fail("DATABASE_URL must name the test server (e.g. postgres://postgres@127.0.0.1:5432/test).");
  const u = new URL(base);
  const asPostgres =
    postgresUser() ??
    fail(`the replica runs as the postgres user: run the tests as root or postgres, or give ${os.userInfo().username} passwordless sudo to postgres (sudo -n -u postgres true fails).`);

  const admin = postgres(base, { max: 1, onnotice: () => {} });
  let dir: string | null = null;
  let pgCtl: string | null = null;
  try {
    const [s] = await admin`select current_setting('server_version_num')::int / 10000 as major, current_setting('wal_level') as wal_level,
      current_setting('max_wal_senders')::int as senders, (select rolreplication or rolsuper from pg_roles where rolname = current_user) as can_replicate`;
    if (!s!.can_replicate) fail(`the role ${u.username || "of DATABASE_URL"} may not replicate; connect as postgres or ALTER ROLE … REPLICATION.`);
    if (s!.wal_level === "minimal" || s!.senders < 1) fail(`the test server cannot stream WAL (wal_level ${s!.wal_level}, max_wal_senders ${s!.senders}); set wal_level = replica and max_wal_senders >= 1, then restart it.`);
    const bin = binDir(s!.major as number);
    pgCtl = path.join(bin, "pg_ctl");
    // pg_hba.conf must let this client open a replication connection; pg_hba_file_rules shows what the server loaded.
    const [hba] = await admin`select count(*)::int as n from pg_hba_file_rules where 'replication' = any(database) and error is null`;
    const hbaFile = (await admin`select current_setting('hba_file') as f`)[0]!.f as string;
    const allowHint = `append "host replication all 127.0.0.1/32 trust" to ${hbaFile} and reload the server (pg_ctlcluster ${s!.major} main reload, or select pg_reload_conf()).`;
    if (hba!.n === 0) fail(`the test server does not allow replication connections: ${allowHint}`);

    // pg_basebackup copies the whole cluster: about 1 s at the ~45 MB of a clean test server, a minute with a few GB
    // of benchmark databases left in it. Name them, so a slow start has its cause in the log.
    const big = await admin`select datname, pg_database_size(datname)::bigint as bytes from pg_database order by 2 desc`;
    const total = big.reduce((n, r) => n + Number(r.bytes), 0);
    if (total > 500 * 2 ** 20) {
      const top = big.slice(0, 3).map((r) => `${r.datname as string} ${Math.round(Number(r.bytes) / 2 ** 20)} MB`).join(", ");
      console.error(`[replica] the test cluster holds ${Math.round(total / 2 ** 20)} MB (largest: ${top}); pg_basebackup copies all of it. Drop leftover databases to keep this fast.`);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-replica-"));
    const data = path.join(dir, "data");
    // The folder becomes postgres's own (0700, as PostgreSQL requires of its data): chown needs root, so a
    // non-root run hands the folder over by having postgres make it instead.
    fs.rmdirSync(dir);
    const made = asPostgres("mkdir", ["-m", "0700", dir]);
    if (made.status !== 0) fail(`could not create ${dir} as postgres: ${made.output}`);
    const t0 = Date.now();
    // -c fast: an immediate checkpoint on the primary instead of waiting for a spread one (seconds saved).
    const backup = asPostgres(path.join(bin, "pg_basebackup"), ["-h", u.hostname, "-p", u.port || "5432", "-U", decodeURIComponent(u.username) || "postgres", "-D", data, "-R", "-X", "stream", "-c", "fast"]);
    if (backup.status !== 0) {
      fail(/no pg_hba\.conf entry for replication/.test(backup.output) ? `pg_basebackup was refused: ${allowHint}` : `pg_basebackup failed: ${backup.output}`);
    }
    const backupMs = Date.now() - t0;
    // Debian keeps postgresql.conf and pg_hba.conf outside the data folder, so the copy has none: a minimal pair.
    // A hot standby needs at least the primary's max_connections (and the like); the defaults equal Debian's.
    const [limits] = await admin`select current_setting('max_connections') as c, current_setting('max_worker_processes') as w,
      current_setting('max_locks_per_transaction') as l, current_setting('max_prepared_transactions') as p, current_setting('max_wal_senders') as s`;
    // Written as postgres: the data folder is not readable by anyone else.
    const write = (name: string, text: string) => {
      const w = asPostgres("sh", ["-c", 'cat > "$0"', path.join(data, name)], text);
      if (w.status !== 0) fail(`could not write ${name} into the replica's folder: ${w.output}`);
    };
    write(
      "postgresql.conf",
      [
        "hot_standby = on",
        `max_connections = ${limits!.c}`,
        `max_worker_processes = ${limits!.w}`,
        `max_locks_per_transaction = ${limits!.l}`,
        `max_prepared_transactions = ${limits!.p}`,
        `max_wal_senders = ${limits!.s}`,
        "shared_buffers = 32MB",
        "fsync = off",
        "",
      ].join("\n"),
    );
    write("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    write("pg_ident.conf", "");
    const port = await freePort();
    const t1 = Date.now();
    const start = asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-o", `-p ${port} -c listen_addresses=127.0.0.1 -k ${data}`, "-l", path.join(dir, "replica.log"), "-w", "-t", "60", "start"]);
    if (start.status !== 0) fail(`the replica did not start: ${start.output}\n${asPostgres("tail", ["-c", "2000", path.join(dir, "replica.log")]).output}`);
    const replicaUrl = new URL(base);
    replicaUrl.port = String(port);
    replicaUrl.pathname = "/postgres";
    const replica = postgres(replicaUrl.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
    try {
      for (let i = 0; ; i++) {
        const ok = await replica`select pg_is_in_recovery() as r`.then(([r]) => r!.r === true, () => false);
        if (ok) break;
        if (i >= 300) fail(`the replica on port ${port} is not accepting connections in recovery after 30 s (log: ${path.join(dir, "replica.log")}).`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await replica.end();
    }
    const startMs = Date.now() - t1;
    console.error(`[replica] streaming replica on 127.0.0.1:${port} ready in ${Date.now() - started} ms (pg_basebackup ${backupMs} ms, start ${startMs} ms; ${dir})`);
    process.env.MARGIN_TEST_REPLICA_PORT = String(port);
    project.provide("replicaPort", port);

    const folder = dir;
    return () => {
      const stop = asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
      if (stop.status !== 0) console.error(`[replica] pg_ctl stop failed: ${stop.output}`);
      asPostgres("rm", ["-rf", folder]);
    };
  } catch (e) {
    if (dir) {
      // A half-made replica: stop it if it runs, and remove the copy (it is a copy of the whole test cluster).
      if (pgCtl) asPostgres(pgCtl, ["-D", path.join(dir, "data"), "-m", "immediate", "stop"]);
      asPostgres("rm", ["-rf", dir]);
    }
    throw e;
  } finally {
    await admin.end();
  }
}
