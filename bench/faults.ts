// npm run bench -- faults [--contributors 50] [--duration 60] [--restart-at 15] [--restart-cmd "…"]
//                         [--import-rows 200000] [--fuzz-files 1000] [--port 3910] [--skip restart,kill,fuzz]
//                         [--server-log FILE]
// Fault injection against a production build on real PostgreSQL (fresh database on the DATABASE_URL server):
//  (a) contributors submit judgments through the HTTP API while PostgreSQL is restarted (--restart-cmd, default
//      the local cluster: pg_ctlcluster --skip-systemctl-redirect <version> main restart). Afterwards every
//      acknowledged judgment must be stored, none twice, no item over k; recovery_s is the time from the database
//      accepting connections again to the app's first successful response (no app restart); outage_5xx counts
//      5xx answers other than 503.
//  (b) the app is killed with SIGKILL in the middle of a large import (during its write when that can be caught);
//      after a restart nothing of it may be visible, and the same import then completes.
//  (c) adversarial import files (bench/faults/adversarial.ts) in both import modes: 5xx answers, hangs over 30 s,
//      and partial writes (a failed all-or-nothing import, or any 4xx/5xx import, that left items), with
//      /api/health polled throughout.
// This bench restarts the PostgreSQL it runs against: point it at a cluster of your own while others use theirs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { createApiKey } from "@/lib/auth/api-keys";
import { mulberry32 } from "@/lib/random";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { adversarialFile } from "./faults/adversarial";
import { freshDatabase, log, num, percentile } from "./lib";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Server = { proc: ChildProcess; base: string; exited: Promise<void> };

function defaultRestartCmd(): string {
  const versions = fs.existsSync("/etc/postgresql") ? fs.readdirSync("/etc/postgresql").sort() : [];
  return `pg_ctlcluster --skip-systemctl-redirect ${versions.at(-1) ?? "15"} main restart`;
}

async function startServer(port: number, env: Record<string, string>, logFile?: string): Promise<Server> {
  // The production server (what `npm start` runs): scripts/serve.mjs sets the client address from the socket.
  const serve = path.join(process.cwd(), "scripts", "serve.mjs");
  const proc = spawn(process.execPath, [serve], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOSTNAME: "127.0.0.1", ...env } });
  let errTail = "";
  const logOut = logFile ? fs.createWriteStream(logFile, { flags: "a" }) : null;
  proc.stdout!.on("data", (d: Buffer) => logOut?.write(d));
  proc.stderr!.on("data", (d: Buffer) => {
    errTail = (errTail + d.toString()).slice(-4000);
    logOut?.write(d);
  });
  const exited = new Promise<void>((r) =>
    proc.once("exit", (code, signal) => {
      const line = `server pid ${proc.pid} exited: code ${code}, signal ${signal}`;
      log(line);
      logOut?.write(`[bench] ${line}\n`);
      if (!expectedExits.has(proc)) unexpectedExits.push({ code, signal, at: new Date().toISOString() });
      r();
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) })).ok) break;
    } catch {
      /* not up yet */
    }
    if (proc.exitCode !== null || Date.now() > until) throw new Error(`server did not come up at ${base}: ${errTail}`);
    await sleep(200);
  }
  return { proc, base, exited };
}

// Servers this bench stopped or killed itself; any other exit is a crash and is reported (server_crashes).
const expectedExits = new Set<ChildProcess>();
const unexpectedExits: { code: number | null; signal: NodeJS.Signals | null; at: string }[] = [];

async function stopServer(s: Server, signal: NodeJS.Signals = "SIGTERM") {
  expectedExits.add(s.proc);
  if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill(signal);
  await s.exited;
}

/** Connect until the server answers (after a restart). */
async function waitForDatabase(url: string, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const c = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2 });
    try {
      await c`select 1`;
      return;
    } catch {
      if (Date.now() > until) throw new Error("database did not come back");
      await sleep(50);
    } finally {
      await c.end({ timeout: 1 }).catch(() => {});
    }
  }
}

const secs = (ms: number) => Math.round(ms / 100) / 10;

/**
 * How the restart looked from the contributors' side: request latencies (a request may wait for the database
 * instead of failing), the longest stretch with no successful answer, and when the failures began and ended,
 * in seconds from the restart command.
 */
function timeline(calls: { t0: number; t1: number; ok: boolean }[], restartAt: number) {
  const ms = calls.map((c) => c.t1 - c.t0).sort((a, b) => a - b);
  const oks = calls.filter((c) => c.ok).map((c) => c.t1).sort((a, b) => a - b);
  let gap = 0, gapFrom = 0;
  for (let i = 1; i < oks.length; i++) if (oks[i]! - oks[i - 1]! > gap) [gap, gapFrom] = [oks[i]! - oks[i - 1]!, oks[i - 1]!];
  const failed = calls.filter((c) => !c.ok && c.t1 >= restartAt).map((c) => c.t1).sort((a, b) => a - b);
  return {
    request_p50_ms: Math.round(percentile(ms, 50)),
    request_p99_ms: Math.round(percentile(ms, 99)),
    request_max_ms: ms.at(-1) ?? null,
    requests_over_10s: ms.filter((m) => m > 10_000).length,
    longest_no_success_s: secs(gap),
    longest_no_success_from_s: secs(gapFrom - restartAt),
    first_failure_s: failed.length ? secs(failed[0]! - restartAt) : null,
    last_failure_s: failed.length ? secs(failed.at(-1)! - restartAt) : null,
  };
}

export default async function faults(flags: Record<string, string>) {
  const contributors = num(flags, "contributors", 50);
  const duration = num(flags, "duration", 60);
  const restartAt = num(flags, "restart-at", 15);
  const restartCmd = flags["restart-cmd"] ?? defaultRestartCmd();
  const importRows = num(flags, "import-rows", 200_000);
  const fuzzFiles = num(flags, "fuzz-files", 1000);
  const port = num(flags, "port", 3910);
  const maxUploadMb = num(flags, "max-upload-mb", 100);
  const skip = new Set((flags.skip ?? "").split(",").filter(Boolean));
  const serverLog = flags["server-log"]; // append the app's stderr here (for reading what went wrong)
  if (!fs.existsSync(".next/BUILD_ID")) throw new Error("no production build: run `npm run build` first (flock /tmp/margin-next.lock npm run build in a shared checkout)");

  const db = await freshDatabase(4);
  const url = db.url;
  const result: Record<string, unknown> = { contributors, duration_s: duration, restart_cmd: restartCmd };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-faults-"));
  let server: Server | null = null;
  try {
    // Owner with an API key (imports), contributors with keys (judgments), a campaign with enough routed items.
    const [owner] = rowsOf<{ id: string }>(await db.db.execute(sql`insert into users (email, name, role) values ('owner@faults', 'Owner', 'researcher') returning id`));
    const ownerKey = (await createApiKey(db.db, { userId: owner!.id, name: "faults" })).key;
    const people = rowsOf<{ id: string }>(await db.db.execute(sql`insert into users (email, name) select 'c' || g || '@faults', 'Contributor ' || g from generate_series(1, ${contributors}) g returning id`));
    const keys: string[] = [];
    for (const p of people) keys.push((await createApiKey(db.db, { userId: p.id, name: "faults" })).key);
    const k = 3;
    // Through a connection of its own (postgres.js reconnects after a restart), as campaigns are also made later.
    const check = postgres(url, { max: 2, onnotice: () => {} });
    const mk = async (slug: string, extra: { items?: number } = {}) => {
      const [c] = await check<{ id: string }[]>`insert into campaigns (slug, name, rubric, k, routing_policy, status, owner_id)
        values (${slug}, ${slug}, ${JSON.stringify({ type: "likert", min: 1, max: 5 })}::jsonb, ${k}, ${JSON.stringify(defaultRoutingPolicy)}::jsonb, 'active', ${owner!.id}) returning id`;
      if (extra.items) {
        await check`insert into items (campaign_id, external_id, input, output, judge_score, judge_confidence, routed, inclusion_prob, route_reason, priority)
          select ${c!.id}, 'b' || g, 'Question ' || g, 'Answer ' || g, '3'::jsonb, random(), true, 1, 'low_confidence'::route_reason, 1 + random() from generate_series(1, ${extra.items}) g`;
        await check`insert into campaign_members (campaign_id, user_id, role) select ${c!.id}, id, 'annotator' from users where email like 'c%@faults'`;
      }
      return c!.id;
    };
    const rateId = await mk("faults-rate", { items: 20_000 });
    await db.db.execute(sql`analyze`);
    await db.close();
    // Staging files in a folder of this run's own, so (b) counts only the killed server's and the run removes them.
    const stagingDir = path.join(dir, "staging");
    fs.mkdirSync(stagingDir);
    const env = { DATABASE_URL: url, AUTH_SECRET: randomBytes(32).toString("base64url"), NEXTAUTH_URL: `http://127.0.0.1:${port}`, MAX_UPLOAD_MB: String(maxUploadMb), MARGIN_STAGING_DIR: stagingDir };
    server = await startServer(port, env, serverLog);

    // ---------------------------------------------------------------- (a) PostgreSQL restart under load
    if (!skip.has("restart")) {
      const base = server.base;
      const acked: { judgmentId: string; assignmentId: string }[] = [];
      const statuses: Record<string, number> = {};
      let outage5xx = 0, networkErrors = 0, no503RetryAfter = 0;
      const okTimes: number[] = [];
      const count = (s: number | string) => (statuses[s] = (statuses[s] ?? 0) + 1);
      const end = Date.now() + duration * 1000;
      const calls: { t0: number; t1: number; ok: boolean }[] = [];
      const call = async (key: string, p: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> } | null> => {
        const t0 = Date.now();
        const r = await callOnce(key, p, body);
        calls.push({ t0, t1: Date.now(), ok: r !== null && r.status >= 200 && r.status < 300 });
        return r;
      };
      const callOnce = async (key: string, p: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> } | null> => {
        try {
          const res = await fetch(base + p, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
          count(res.status);
          if (res.status >= 500 && res.status !== 503) outage5xx++;
          if (res.status === 503 && !res.headers.get("retry-after")) no503RetryAfter++;
          if (res.ok) okTimes.push(Date.now());
          const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
          return { status: res.status, json };
        } catch {
          networkErrors++;
          count("network");
          return null;
        }
      };
      type Item = { assignmentId: string } | null;
      const worker = async (key: string, i: number) => {
        const rand = mulberry32(1000 + i);
        let item: Item = null;
        await sleep(rand() * 500);
        while (Date.now() < end) {
          if (!item) {
            const r = await call(key, "/api/campaigns/faults-rate/assignments/next", {});
            if (!r || r.status !== 200) {
              await sleep(300 + rand() * 400);
              continue;
            }
            item = (r.json.item as Item) ?? null;
            if (!item) return; // nothing left
          }
          await sleep(50 + rand() * 250); // think
          // Submit until acknowledged: the assignment is the idempotency key, so a retry never rates twice. A retry
          // sends the same rating (as the rating page does): the server replays it if the first one was stored.
          const value = 1 + Math.floor(rand() * 5);
          for (;;) {
            const r = await call(key, "/api/campaigns/faults-rate/judgments", { assignmentId: item.assignmentId, value });
            if (r && r.status >= 200 && r.status < 300) {
              acked.push({ judgmentId: String(r.json.judgmentId), assignmentId: item.assignmentId });
              item = (r.json.next as Item) ?? null;
              break;
            }
            if (r && r.status >= 400 && r.status < 500) {
              item = null; // lease gone (expired, item full): ask for another
              break;
            }
            if (Date.now() > end + 60_000) return;
            await sleep(300 + rand() * 400);
          }
        }
      };
      let dbBackAt = 0, restartStartedAt = 0;
      const restarter = (async () => {
        await sleep(restartAt * 1000);
        log(`restarting PostgreSQL: ${restartCmd}`);
        restartStartedAt = Date.now();
        // Not spawnSync: the contributors run in this process and must keep submitting during the restart.
        const child = spawn("sh", ["-c", restartCmd], { stdio: ["ignore", 2, 2] });
        const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
        if (code !== 0) throw new Error(`restart command failed (${code})`);
        await waitForDatabase(url);
        dbBackAt = Date.now();
        log(`PostgreSQL back after ${((dbBackAt - restartStartedAt) / 1000).toFixed(1)} s`);
      })();
      log(`${contributors} contributors for ${duration} s`);
      await Promise.all([...keys.map((key, i) => worker(key, i)), restarter]);
      const firstOk = okTimes.filter((t) => t >= dbBackAt).sort((a, b) => a - b)[0];
      const ids = acked.map((a) => a.judgmentId);
      const [stored] = await check<{ n: number }[]>`select count(*)::int as n from judgments where id = any(${ids}::bigint[])`;
      const [dups] = await check<{ n: number }[]>`select count(*)::int as n from (select 1 from judgments where campaign_id = ${rateId} group by item_id, item_version, annotator_id having count(*) > 1) d`;
      const [overK] = await check<{ n: number }[]>`select count(*)::int as n from (select 1 from judgments where campaign_id = ${rateId} group by item_id, item_version having count(*) > ${k}) d`;
      const [total] = await check<{ n: number }[]>`select count(*)::int as n from judgments where campaign_id = ${rateId}`;
      Object.assign(result, {
        acknowledged: acked.length,
        acknowledged_lost: acked.length - stored!.n,
        acknowledged_distinct: new Set(ids).size,
        judgments_stored: total!.n,
        duplicates: dups!.n,
        over_k: overK!.n,
        recovery_s: firstOk ? Math.round((firstOk - dbBackAt) / 100) / 10 : null,
        db_down_s: Math.round((dbBackAt - restartStartedAt) / 100) / 10,
        ...timeline(calls, restartStartedAt),
        outage_5xx: outage5xx,
        outage_503_without_retry_after: no503RetryAfter,
        outage_network_errors: networkErrors,
        outage_statuses: statuses,
      });
      log("restart:", JSON.stringify(result));
    }

    // ---------------------------------------------------------------- (b) SIGKILL mid-import
    if (!skip.has("kill")) {
      const killId = await mk("faults-kill");
      const file = path.join(dir, "kill.jsonl");
      const out = fs.createWriteStream(file);
      for (let i = 0; i < importRows; i += 1000) {
        let chunk = "";
        for (let j = i; j < Math.min(importRows, i + 1000); j++) chunk += `${JSON.stringify({ id: `k-${j}`, input: `question ${j} about the weather in a rare language`, output: `answer ${j} `.repeat(8), judge_score: 1 + (j % 5), judge_confidence: (j % 100) / 100, language: ["en", "sw", "qu"][j % 3] })}\n`;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      }
      await new Promise<void>((r) => out.end(() => r()));
      const post = (signal?: AbortSignal) =>
        fetch(`${server!.base}/api/v1/campaigns/${killId}/items`, {
          method: "POST",
          headers: { authorization: `Bearer ${ownerKey}`, "content-type": "application/x-ndjson", "content-length": String(fs.statSync(file).size) },
          body: fs.readFileSync(file),
          signal,
        });
      log(`(b) importing ${importRows.toLocaleString("en")} rows, killing the app mid-import`);
      const pending = post().then((r) => r.status, () => "killed");
      // Kill during the write when it can be seen (the COPY into items), else half-way through the upload's parsing.
      const t0 = Date.now();
      let phase = "receive";
      for (;;) {
        const [w] = await check<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'copy items%'`;
        if (w!.n > 0) {
          phase = "write";
          break;
        }
        if (Date.now() - t0 > 60_000) break;
        await sleep(10);
      }
      await stopServer(server, "SIGKILL");
      const answer = await pending;
      await sleep(500); // the server's backends notice the closed sockets and roll back
      const [visible] = await check<{ n: number }[]>`select count(*)::int as n from items where campaign_id = ${killId}`;
      const [claimed] = await check<{ n: number }[]>`select count(*)::int as n from imports where campaign_id = ${killId} and status = 'succeeded'`;
      // A killed process cannot delete its staging file; the app sweeps such files once they are 6 h old (lib/ingest/staging.ts).
      const leftover = fs.readdirSync(stagingDir).filter((f) => f.startsWith("margin-import-") && f.endsWith(".stage")).length;
      server = await startServer(port, env, serverLog);
      const again = await post(AbortSignal.timeout(600_000));
      const body = (await again.json()) as { import?: { rowsNew?: number; status?: string } };
      const [after] = await check<{ n: number }[]>`select count(*)::int as n from items where campaign_id = ${killId}`;
      Object.assign(result, {
        import_rows: importRows,
        import_killed_in: phase,
        import_killed_answer: answer,
        import_kill_partial: visible!.n > 0 || claimed!.n > 0 ? 1 : 0,
        import_kill_items_visible: visible!.n,
        import_kill_staging_files_left: leftover,
        import_rerun_status: again.status,
        import_rerun_rows_new: body.import?.rowsNew ?? null,
        import_rerun_complete: after!.n === importRows ? 1 : 0,
      });
      log("kill:", JSON.stringify(result));
    }

    // ---------------------------------------------------------------- (c) adversarial files
    if (!skip.has("fuzz")) {
      const base = server.base;
      let healthMax = 0, healthFail = 0, healthChecks = 0;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const t = performance.now();
          try {
            const r = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(30_000) });
            if (!r.ok) healthFail++;
          } catch {
            healthFail++;
          }
          healthChecks++;
          healthMax = Math.max(healthMax, performance.now() - t);
          await sleep(250);
        }
      })();
      const statuses: Record<string, number> = {};
      let fuzz5xx = 0, hangs = 0, partial = 0, requests = 0, networkErrors = 0;
      const examples: unknown[] = [];
      const latencies: number[] = [];
      const slowest: { i: number; kind: string; mode: string; status: number | string; ms: number }[] = [];
      log(`(c) ${fuzzFiles} adversarial files × 2 modes`);
      for (let i = 0; i < fuzzFiles; i++) {
        const f = adversarialFile(13, i, { maxBytes: maxUploadMb * 2 ** 20 });
        for (const mode of ["partial", "all_or_nothing"]) {
          const cid = await mk(`fz-${i}-${mode === "partial" ? "p" : "a"}`);
          const t = performance.now();
          let status: number | string;
          let message = "";
          try {
            const r = await fetch(`${base}/api/v1/campaigns/${cid}/items?mode=${mode}`, { method: "POST", headers: { authorization: `Bearer ${ownerKey}`, "content-type": f.contentType }, body: new Uint8Array(f.body), signal: AbortSignal.timeout(30_000) });
            status = r.status;
            const text = await r.text();
            message = text.slice(0, 200);
          } catch (e) {
            status = (e as Error).name === "TimeoutError" ? "hang" : "network";
          }
          const ms = performance.now() - t;
          latencies.push(ms);
          slowest.push({ i, kind: f.kind, mode, status, ms: Math.round(ms) });
          slowest.sort((a, b) => b.ms - a.ms).splice(5);
          requests++;
          statuses[status] = (statuses[status] ?? 0) + 1;
          const [n] = await check<{ n: number }[]>`select count(*)::int as n from items where campaign_id = ${cid}`;
          const [ok] = await check<{ n: number }[]>`select count(*)::int as n from imports where campaign_id = ${cid} and status = 'succeeded'`;
          const failed = typeof status !== "number" || status >= 400;
          const isPartial = (failed && (n!.n > 0 || ok!.n > 0)) || (mode === "all_or_nothing" && status === 422 && n!.n > 0);
          if (status === "hang") hangs++;
          if (status === "network") networkErrors++;
          if (typeof status === "number" && status >= 500) fuzz5xx++;
          if (isPartial) partial++;
          if ((status === "hang" || status === "network" || (typeof status === "number" && status >= 500) || isPartial) && examples.length < 20) examples.push({ i, kind: f.kind, mode, status, items: n!.n, message });
        }
        if ((i + 1) % 100 === 0) log(`  ${i + 1} files: ${JSON.stringify(statuses)}`);
      }
      polling = false;
      await poller;
      latencies.sort((a, b) => a - b);
      Object.assign(result, {
        fuzz_files: fuzzFiles,
        fuzz_requests: requests,
        fuzz_5xx: fuzz5xx,
        fuzz_hangs: hangs,
        fuzz_partial_writes: partial,
        fuzz_network_errors: networkErrors,
        fuzz_statuses: statuses,
        fuzz_p99_ms: Math.round(percentile(latencies, 99)),
        fuzz_slowest: slowest,
        fuzz_examples: examples,
        health_checks: healthChecks,
        health_failures: healthFail,
        health_max_ms: Math.round(healthMax),
      });
    }
    await check.end();
    result.server_crashes = unexpectedExits.length;
    if (unexpectedExits.length) result.server_crash_exits = unexpectedExits;
    return result;
  } finally {
    if (server) await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
    // The database may have just been restarted: reconnect for the drop.
    await waitForDatabase(url).catch(() => {});
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`).catch((e: unknown) => log("drop failed", e));
    await admin.end();
  }
}
