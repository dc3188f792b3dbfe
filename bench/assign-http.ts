// npm run bench -- assign [--items 30000] [--k 3] [--contributors 2000] [--signin 200] [--think_ms 20000]
//   [--paced_s 60] [--sat_clients 64] [--sat_s 20] [--judged 6000] [--live 1000] [--expired 2000] [--port 3950] [--no_build]
// (also `npm run bench -- assign-http`). The contributor hot path through the HTTP API, as the rating page calls it
// (issue #19), on a production build served by two app instances (scripts/serve.mjs) sharing one fresh database:
//  - the campaign already holds judgments (`judged` items rated twice), live leases (`live` contributors hold one)
//    and expired ones (`expired`), so the lease query runs against a populated assignments table;
//  - `signin` contributors sign in through next-auth's credentials endpoint (csrf, then callback); the others get a
//    session cookie minted with the same secret and the same claims (next-auth/jwt encode), because 2,000 scrypt
//    sign-ins would take minutes of the machine's two cores and measure sign-in rather than rating;
//  - paced phase: every contributor asks for the next item, thinks (exponential, mean think_ms), submits (the answer
//    carries the next item), and so on, split across the two instances → p50/p99 of next-item and submit;
//  - saturation phase: sat_clients contributors without think time → HTTP submits/s, beside the reference: the
//    same durable work (lease + judgment + counter and assignment update, same indexes, on a second campaign of the
//    same shape) in minimal hand-written SQL from this process at the same concurrency → ratio;
//  - checks after each phase: double ratings or leases, judgments over k, live leases + judgments over k.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { encode } from "next-auth/jwt";
import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "@/db/client";
import { campaigns } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";
import { mulberry32 } from "@/lib/random";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { freshDatabase, log, num, percentile } from "./lib";

const PASSWORD = "bench-password-1";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Whether .next/BUILD_ID is missing or older than any source file a build compiles. */
function buildIsStale(): boolean {
  const id = ".next/BUILD_ID";
  if (!fs.existsSync(id)) return true;
  const built = fs.statSync(id).mtimeMs;
  const newer = (dir: string): boolean => {
    if (!fs.existsSync(dir)) return false;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (newer(p)) return true;
      } else if (/\.(ts|tsx|mjs|css)$/.test(e.name) && fs.statSync(p).mtimeMs > built) return true;
    }
    return false;
  };
  return ["app", "lib", "db", "components"].some(newer) || ["proxy.ts", "instrumentation.ts", "next.config.ts"].some((f) => fs.existsSync(f) && fs.statSync(f).mtimeMs > built);
}

function ensureBuild(skip: boolean) {
  // Another engineer's build may be under way (it removes BUILD_ID until it is done): wait for the lock first.
  spawnSync("flock", ["/tmp/margin-next.lock", "true"], { stdio: "ignore" });
  if (skip && fs.existsSync(".next/BUILD_ID")) return;
  if (!buildIsStale()) return;
  log("building (.next/BUILD_ID missing or older than the sources), under /tmp/margin-next.lock");
  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const b = spawnSync("flock", ["/tmp/margin-next.lock", process.execPath, nextBin, "build"], { stdio: ["ignore", 2, 2], env: { ...process.env, NODE_ENV: "production" } });
  if (b.status !== 0) throw new Error("next build failed");
}

/** A campaign of the benchmark's shape: routed items, earlier judgments, live and expired leases. */
async function prepareCampaign(
  db: Db,
  o: { slug: string; owner: string; people: string[]; items: number; k: number; judged: number; live: number; expired: number },
): Promise<string> {
  const [campaign] = await db
    .insert(campaigns)
    .values({ slug: o.slug, name: o.slug, rubric: { type: "likert", min: 1, max: 5 }, k: o.k, routingPolicy: defaultRoutingPolicy, status: "active", ownerId: o.owner })
    .returning({ id: campaigns.id });
  const id = campaign!.id;
  const people = JSON.stringify(o.people);
  await db.execute(sql`insert into campaign_members (campaign_id, user_id, role) select ${id}, p::uuid, 'annotator' from json_array_elements_text(${people}::json) p`);
  await db.execute(sql`
    insert into items (campaign_id, external_id, input, output, judge_score, judge_confidence, routed, inclusion_prob, route_reason, priority)
    select ${id}, 'b' || g, 'Question ' || g, 'Answer ' || g, '3'::jsonb, random(), true,
           case when g % 10 = 0 then 0.1 else 1 end,
           (case when g % 10 = 0 then 'control' when g % 2 = 0 then 'tail' else 'low_confidence' end)::route_reason,
           1 + random()
    from generate_series(1, ${o.items}) g`);
  // Earlier work, spread over the priority order (every fifth item from the top is rated twice), so the
  // lease query walks past judged and leased items as it would in a campaign under way.
  await db.execute(sql`
    with p as (select row_number() over () - 1 as n, x::uuid as id from json_array_elements_text(${people}::json) x),
         np as (select count(*) as c from p),
         t as (select i.id, row_number() over (order by i.priority desc, i.id) - 1 as r from items i where i.campaign_id = ${id}),
         pick as (select t.id, t.r, s from t, generate_series(0, 1) s where t.r % 5 = 0 and t.r / 5 < ${o.judged}),
         a as (
           insert into assignments (campaign_id, item_id, annotator_id, status, leased_at, expires_at, finished_at, item_version)
           select ${id}, pick.id, p.id, 'submitted', now() - interval '1 hour', now() - interval '50 minutes', now() - interval '55 minutes', 1
           from pick join p on p.n = ((pick.r / 5) * 2 + pick.s) % (select c from np)
           returning item_id, annotator_id)
    insert into judgments (campaign_id, item_id, annotator_id, value, item_version, time_taken_ms, created_at, updated_at)
    select ${id}, a.item_id, a.annotator_id, to_jsonb(1 + (a.item_id % 5)::int), 1, 30000, now() - interval '55 minutes', now() - interval '55 minutes' from a`);
  await db.execute(sql`
    update items i set judgment_count = c.n, k_reached = c.n >= ${o.k}
    from (select item_id, count(*)::int as n from judgments where campaign_id = ${id} group by item_id) c where c.item_id = i.id`);
  // Live leases (the first `live` contributors each hold one, expiring over the next 10 minutes) and expired ones
  // (the next `expired` contributors), on items just below the judged stretch.
  await db.execute(sql`
    with p as (select row_number() over () - 1 as n, x::uuid as id from json_array_elements_text(${people}::json) x),
         t as (select i.id, row_number() over (order by i.priority desc, i.id) - 1 as r from items i where i.campaign_id = ${id} and i.judgment_count = 0)
    insert into assignments (campaign_id, item_id, annotator_id, status, leased_at, expires_at, item_version)
    select ${id}, t.id, p.id, 'leased',
           case when p.n < ${o.live} then now() - interval '1 minute' else now() - interval '30 minutes' end,
           case when p.n < ${o.live} then now() + (1 + (p.n % 9)) * interval '1 minute' else now() - interval '20 minutes' end, 1
    from p join t on t.r = p.n
    where p.n < ${o.live + o.expired}`);
  return id;
}

type Instance = { base: string; agent: http.Agent; proc: ChildProcess };
type Reply = { status: number; body: unknown; ms: number; cookies: string[] };

function request(inst: Instance, method: string, pathname: string, o: { cookie?: string; json?: unknown; form?: Record<string, string> } = {}): Promise<Reply> {
  const body = o.json !== undefined ? JSON.stringify(o.json) : o.form ? new URLSearchParams(o.form).toString() : undefined;
  const headers: Record<string, string> = { origin: inst.base, accept: "application/json" };
  if (o.cookie) headers.cookie = o.cookie;
  if (body !== undefined) {
    headers["content-type"] = o.json !== undefined ? "application/json" : "application/x-www-form-urlencoded";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(inst.base + pathname, { method, headers, agent: inst.agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        let parsed: unknown = null;
        try {
          parsed = text ? JSON.parse(text) : null;
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, ms: performance.now() - t0, cookies: (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!) });
      });
    });
    req.on("error", reject);
    req.setTimeout(60_000, () => req.destroy(new Error("request timed out after 60 s")));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function startInstance(port: number, env: NodeJS.ProcessEnv): Promise<Instance> {
  const base = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [path.join(process.cwd(), "scripts", "serve.mjs")], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...env, PORT: String(port), HOSTNAME: "127.0.0.1", NEXTAUTH_URL: base },
  });
  // The server's own error lines (a 500 would log one) go to this process's stderr, counted in the result.
  proc.stderr!.on("data", (d: Buffer) => {
    serverErrorLines += d.toString().split("\n").filter(Boolean).length;
    process.stderr.write(`[serve ${port}] ${d.toString()}`);
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 128 });
  const inst = { base, agent, proc };
  const until = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await request(inst, "GET", "/api/health")).status === 200) return inst;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) throw new Error(`instance on ${port} did not come up`);
    await sleep(300);
  }
}
let serverErrorLines = 0;

/** A real credentials sign-in: csrf token and cookie, then the callback; returns the session cookie. */
async function signIn(inst: Instance, email: string): Promise<string> {
  const csrf = await request(inst, "GET", "/api/auth/csrf");
  const token = (csrf.body as { csrfToken: string }).csrfToken;
  const r = await request(inst, "POST", "/api/auth/callback/credentials", {
    cookie: csrf.cookies.join("; "),
    form: { csrfToken: token, email, password: PASSWORD, callbackUrl: `${inst.base}/`, json: "true" },
  });
  const session = r.cookies.find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in of ${email} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return session;
}

type Person = { id: string; email: string; name: string; cookie: string; inst: Instance };
type Lat = { next: number[]; submit: number[] };
type Counts = { submitted: number; refused: number; errors: number; exhausted: number; errorSamples: string[] };

type NextItem = { assignmentId: number } | null;

async function contributorLoop(p: Person, slug: string, endAt: number, thinkMs: number, rand: () => number, lat: Lat, c: Counts) {
  const note = (r: Reply, what: string) => {
    c.errors++;
    if (c.errorSamples.length < 5) c.errorSamples.push(`${what} ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  };
  const next = async (): Promise<NextItem | undefined> => {
    const r = await request(p.inst, "POST", `/api/campaigns/${slug}/assignments/next`, { cookie: p.cookie, json: {} });
    lat.next.push(r.ms);
    if (r.status !== 200) return note(r, "next"), undefined;
    return (r.body as { item: NextItem }).item;
  };
  // Sleeps end with the phase (an exponential think time can be minutes long; the phase must not wait for it).
  const pause = (ms: number) => sleep(Math.max(0, Math.min(ms, endAt - Date.now())));
  if (thinkMs > 0) await pause(rand() * thinkMs); // stagger the arrivals
  if (Date.now() >= endAt) return;
  let item = await next();
  while (Date.now() < endAt) {
    if (item === undefined) {
      await sleep(1000);
      item = await next();
      continue;
    }
    if (item === null) return void c.exhausted++;
    if (thinkMs > 0) await pause(-Math.log(1 - rand()) * thinkMs);
    if (Date.now() >= endAt) return;
    const r = await request(p.inst, "POST", `/api/campaigns/${slug}/judgments`, { cookie: p.cookie, json: { assignmentId: item.assignmentId, value: 1 + Math.floor(rand() * 5) } });
    lat.submit.push(r.ms);
    if (r.status === 200) {
      c.submitted++;
      const b = r.body as { next: NextItem; nextUnavailable?: boolean };
      item = b.nextUnavailable ? await next() : b.next;
    } else if (r.status === 409) {
      c.refused++;
      item = await next();
    } else {
      note(r, "submit");
      item = await next();
    }
  }
}

async function checks(db: Db, campaignId: string, k: number) {
  const [r] = rowsOf<{ double_judgments: number; double_leases: number; over_k: number; over_k_with_leases: number; counter_drift: number }>(
    await db.execute(sql`
      with per_item as (
        select i.id, i.judgment_count,
               (select count(*) from judgments j where j.item_id = i.id and j.item_version = i.version) as j,
               (select count(*) from assignments a where a.item_id = i.id and a.item_version = i.version and a.status = 'leased' and a.expires_at > statement_timestamp()) as l
        from items i where i.campaign_id = ${campaignId})
      select
        (select count(*)::int from (select 1 from judgments where campaign_id = ${campaignId} group by item_id, annotator_id, item_version having count(*) > 1) d) as double_judgments,
        (select count(*)::int from (select 1 from assignments where campaign_id = ${campaignId} and status = 'leased' and expires_at > statement_timestamp()
                                    group by annotator_id having count(*) > 1) d) as double_leases,
        (select count(*)::int from per_item where j > ${k}) as over_k,
        (select count(*)::int from per_item where j + l > ${k}) as over_k_with_leases,
        (select count(*)::int from per_item where judgment_count <> j) as counter_drift`),
  );
  return r!;
}

/** The same durable work as lease + submit in minimal hand-written SQL, at `clients` concurrency for `seconds`. */
async function reference(url: string, campaignId: string, people: string[], k: number, clients: number, seconds: number, pool: number) {
  const pg = postgres(url, { max: pool, onnotice: () => {} });
  try {
    let done = 0;
    const lat: number[] = [];
    const end = Date.now() + seconds * 1000;
    const t0 = performance.now();
    await Promise.all(
      people.slice(0, clients).map(async (who, i) => {
        const rand = mulberry32(7 + i);
        while (Date.now() < end) {
          const s0 = performance.now();
          // Lease: the highest-priority item with room that this person has not seen (same partial indexes).
          const [lease] = await pg<{ id: string; item_id: string }[]>`
            with durability as (select set_config('synchronous_commit', 'off', true)),
            pick as (
              select i.id, i.version from items i
              where i.campaign_id = ${campaignId} and i.routed and not i.k_reached and i.gold_answer is null
                and (select count(*) filter (where s.status = 'leased' and s.expires_at > now()) + ${k} * count(*) filter (where s.annotator_id = ${who})
                     from assignments s where s.item_id = i.id) < ${k} - i.judgment_count
              order by i.priority desc nulls last, i.id limit 1
              for update of i skip locked)
            insert into assignments (campaign_id, item_id, annotator_id, status, leased_at, expires_at, item_version)
            select ${campaignId}, id, ${who}, 'leased', now(), now() + interval '10 minutes', version from pick, durability
            returning id, item_id`;
          if (!lease) return;
          // Submit: judgment, counter, assignment, in one durable statement.
          await pg`
            with a as (update assignments set status = 'submitted', finished_at = now() where id = ${lease.id} and status = 'leased' returning item_id, item_version),
            j as (insert into judgments (campaign_id, item_id, annotator_id, value, item_version, created_at, updated_at)
                  select ${campaignId}, item_id, ${who}, ${JSON.stringify(1 + Math.floor(rand() * 5))}::jsonb, item_version, now(), now() from a returning item_id)
            update items set judgment_count = judgment_count + 1, k_reached = judgment_count + 1 >= ${k} from j where items.id = j.item_id`;
          lat.push(performance.now() - s0);
          done++;
        }
      }),
    );
    return { perS: done / ((performance.now() - t0) / 1000), lat: lat.sort((a, b) => a - b) };
  } finally {
    await pg.end({ timeout: 5 });
  }
}

export async function assignHttpBench(flags: Record<string, string>) {
  const nItems = num(flags, "items", 30_000);
  const k = num(flags, "k", 3);
  const contributors = num(flags, "contributors", 2000);
  const signins = Math.min(contributors, num(flags, "signin", 200));
  const thinkMs = num(flags, "think_ms", 20_000);
  const pacedS = num(flags, "paced_s", 60);
  const satClients = num(flags, "sat_clients", 64);
  const satS = num(flags, "sat_s", 20);
  const judged = num(flags, "judged", 6000);
  const live = num(flags, "live", 1000);
  const expired = num(flags, "expired", 2000);
  const port = num(flags, "port", 3950);
  ensureBuild(flags.no_build === "true");

  const bench = await freshDatabase(4);
  const instances: Instance[] = [];
  const started = performance.now();
  try {
    log(`setup: ${contributors} contributors, 2 campaigns × ${nItems} items, k=${k}, ${judged} items rated twice, ${live} live + ${expired} expired leases`);
    const hash = await hashPassword(PASSWORD);
    const [owner] = rowsOf<{ id: string }>(await bench.db.execute(sql`insert into users (email, name, role) values ('owner@bench.test', 'Owner', 'researcher') returning id`));
    const people = rowsOf<{ id: string; email: string; name: string }>(
      await bench.db.execute(sql`insert into users (email, name, password_hash) select 'c' || g || '@bench.test', 'Contributor ' || g, ${hash}
                                 from generate_series(1, ${contributors}) g returning id, email, name`),
    );
    const ids = people.map((p) => p.id);
    const httpCampaign = await prepareCampaign(bench.db, { slug: "bench-http", owner: owner!.id, people: ids, items: nItems, k, judged, live, expired });
    const refCampaign = await prepareCampaign(bench.db, { slug: "bench-ref", owner: owner!.id, people: ids, items: nItems, k, judged, live, expired });
    await bench.db.execute(sql`analyze`);
    const [{ n: assignmentsBefore }] = rowsOf<{ n: number }>(await bench.db.execute(sql`select count(*)::int as n from assignments where campaign_id = ${httpCampaign}`)) as [{ n: number }];
    log(`campaign holds ${assignmentsBefore} assignments`, await checks(bench.db, httpCampaign, k));

    const secret = randomBytes(32).toString("base64url");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: bench.url,
      AUTH_SECRET: secret,
      NEXTAUTH_SECRET: secret,
      // Every contributor signs in from 127.0.0.1 (as in scripts/e2e-server.ts); per-account throttling stays.
      SIGNIN_LIMIT_PER_IP: "100000",
      SIGNUP_LIMIT_PER_IP: "100000",
    };
    log("starting two app instances");
    instances.push(...(await Promise.all([startInstance(port, env), startInstance(port + 1, env)])));

    log(`sessions: ${signins} real sign-ins, ${contributors - signins} minted cookies`);
    const persons: Person[] = [];
    const signinLat: number[] = [];
    for (let i = 0; i < people.length; i += 8) {
      const batch = people.slice(i, i + 8);
      persons.push(
        ...(await Promise.all(
          batch.map(async (p, j) => {
            const inst = instances[(i + j) % 2]!;
            let cookie: string;
            if (i + j < signins) {
              const t0 = performance.now();
              cookie = await signIn(inst, p.email);
              signinLat.push(performance.now() - t0);
            } else {
              cookie = `next-auth.session-token=${await encode({ token: { sub: p.id, sv: 0, name: p.name, email: p.email }, secret })}`;
            }
            return { ...p, cookie, inst };
          }),
        )),
      );
    }
    signinLat.sort((a, b) => a - b);

    // Warm-up (not measured): connections open and statements get prepared on both instances.
    log("warm-up: 10 s, 32 contributors without think time");
    const warmCounts: Counts = { submitted: 0, refused: 0, errors: 0, exhausted: 0, errorSamples: [] };
    const warmEnd = Date.now() + 10_000;
    await Promise.all(persons.slice(contributors - 32).map((p, i) => contributorLoop(p, "bench-http", warmEnd, 0, mulberry32(500 + i), { next: [], submit: [] }, warmCounts)));

    // One contributor alone, submit after submit: the request path's own cost, with no queue in front of it.
    log("single client: 10 s, one contributor without think time");
    const single: Lat = { next: [], submit: [] };
    const singleCounts: Counts = { submitted: 0, refused: 0, errors: 0, exhausted: 0, errorSamples: [] };
    await contributorLoop(persons[contributors - 33]!, "bench-http", Date.now() + 10_000, 0, mulberry32(3), single, singleCounts);
    single.submit.sort((a, b) => a - b);
    log(`single client: ${singleCounts.submitted} submits, submit p50 ${percentile(single.submit, 50).toFixed(1)} ms`);

    log(`paced: ${contributors} contributors, think time mean ${thinkMs} ms, ${pacedS} s`);
    const paced: Lat = { next: [], submit: [] };
    const pacedCounts: Counts = { submitted: 0, refused: 0, errors: 0, exhausted: 0, errorSamples: [] };
    const pacedEnd = Date.now() + pacedS * 1000;
    const p0 = performance.now();
    await Promise.all(persons.map((p, i) => contributorLoop(p, "bench-http", pacedEnd, thinkMs, mulberry32(1000 + i), paced, pacedCounts)));
    const pacedElapsed = (performance.now() - p0) / 1000;
    paced.next.sort((a, b) => a - b);
    paced.submit.sort((a, b) => a - b);
    const pacedChecks = await checks(bench.db, httpCampaign, k);
    log(`paced: ${pacedCounts.submitted} submits (${(pacedCounts.submitted / pacedElapsed).toFixed(1)}/s), next p50 ${percentile(paced.next, 50).toFixed(1)} p99 ${percentile(paced.next, 99).toFixed(1)} ms, submit p50 ${percentile(paced.submit, 50).toFixed(1)} p99 ${percentile(paced.submit, 99).toFixed(1)} ms`, pacedCounts, pacedChecks);

    log(`saturation: ${satClients} contributors without think time, ${satS} s`);
    const sat: Lat = { next: [], submit: [] };
    const satCounts: Counts = { submitted: 0, refused: 0, errors: 0, exhausted: 0, errorSamples: [] };
    const satEnd = Date.now() + satS * 1000;
    const s0 = performance.now();
    await Promise.all(persons.slice(0, satClients).map((p, i) => contributorLoop(p, "bench-http", satEnd, 0, mulberry32(2000 + i), sat, satCounts)));
    const submitsPerS = satCounts.submitted / ((performance.now() - s0) / 1000);
    sat.submit.sort((a, b) => a - b);
    const satChecks = await checks(bench.db, httpCampaign, k);
    log(`saturation: ${submitsPerS.toFixed(1)} submits/s, submit p50 ${percentile(sat.submit, 50).toFixed(1)} p99 ${percentile(sat.submit, 99).toFixed(1)} ms`, satCounts, satChecks);

    // The app instances stop before the reference runs, so it has the machine to itself as they had.
    await stopAll(instances);
    // Each instance has 10 connections on its hot-path pool (db/client.ts): the reference gets as many in all.
    log(`reference: hand-written SQL, ${satClients} clients on 20 connections, ${satS} s`);
    const refSingle = await reference(bench.url, refCampaign, ids.slice(satClients), k, 1, 10, 1);
    const ref = await reference(bench.url, refCampaign, ids, k, satClients, satS, 20);
    const refChecks = await checks(bench.db, refCampaign, k);
    log(`reference: ${ref.perS.toFixed(1)} lease+submit/s`, refChecks);

    const double = pacedChecks.double_judgments + pacedChecks.double_leases + satChecks.double_judgments + satChecks.double_leases;
    return {
      mode: "http",
      instances: 2,
      contributors,
      real_signins: signins,
      items: nItems,
      k,
      assignments_before: assignmentsBefore,
      think_ms: thinkMs,
      paced_s: pacedS,
      paced_submits_per_s: round(pacedCounts.submitted / pacedElapsed, 1),
      next_p50_ms: round(percentile(paced.next, 50)),
      next_p99_ms: round(percentile(paced.next, 99)),
      submit_p50_ms: round(percentile(paced.submit, 50)),
      submit_p99_ms: round(percentile(paced.submit, 99)),
      paced_requests: paced.next.length + paced.submit.length,
      errors: pacedCounts.errors + satCounts.errors,
      error_samples: [...pacedCounts.errorSamples, ...satCounts.errorSamples],
      server_error_lines: serverErrorLines,
      refused_submits: pacedCounts.refused + satCounts.refused,
      double,
      over_k: pacedChecks.over_k + satChecks.over_k,
      over_k_with_leases: pacedChecks.over_k_with_leases + satChecks.over_k_with_leases,
      counter_drift: pacedChecks.counter_drift + satChecks.counter_drift,
      sat_clients: satClients,
      sat_s: satS,
      submits_per_s: round(submitsPerS, 1),
      sat_submit_p50_ms: round(percentile(sat.submit, 50)),
      sat_submit_p99_ms: round(percentile(sat.submit, 99)),
      // One reference cycle = the lease statement + the durable submit statement, as the HTTP submit does.
      reference_per_s: round(ref.perS, 1),
      reference_p50_ms: round(percentile(ref.lat, 50)),
      ratio: round(submitsPerS / ref.perS),
      reference_over_k: refChecks.over_k,
      // One client alone: an HTTP submit (session, campaign, submit statement, next lease) against one reference
      // cycle (lease + submit statements) — what the request path adds before any queueing.
      single_client_submit_p50_ms: round(percentile(single.submit, 50)),
      single_client_reference_p50_ms: round(percentile(refSingle.lat, 50)),
      signin_p50_ms: round(percentile(signinLat, 50)),
      load_avg_1m: round(os.loadavg()[0]!, 1),
      total_s: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    await stopAll(instances);
    await bench.drop();
  }
}

async function stopAll(instances: Instance[]) {
  await Promise.all(
    instances.splice(0).map(async (inst) => {
      inst.agent.destroy();
      if (inst.proc.exitCode !== null || inst.proc.signalCode !== null) return;
      const exited = new Promise((r) => inst.proc.once("exit", r));
      inst.proc.kill("SIGTERM");
      await exited;
    }),
  );
}

export default assignHttpBench;
