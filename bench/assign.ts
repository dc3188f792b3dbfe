// npm run bench -- assign [--mode http|sql] …
// The default mode (bench/assign-http.ts) measures the contributor path through the HTTP API, as the rating page
// calls it, on two app instances. `--mode sql` is the earlier benchmark of the SQL alone:
// npm run bench -- assign --mode sql [--items 100000] [--clients 200] [--k 3] [--think_ms 1000] [--warmup_s 3] [--paced_s 30] [--sat_s 15] [--pool 16]
// Next-item assignment through the app's own code path (lib/assign), on real PostgreSQL:
//  - paced: `clients` contributors each request, think (exponential, mean think_ms) and submit: p50/p99 of next-item;
//  - saturation: the same contributors with no think time: completed assignments (lease + submit) per second,
//    beside a bare `UPDATE … FOR UPDATE SKIP LOCKED` dequeue on 16 connections in the same run (bench.md).
// Both runs end with checks: double assignments and items over k (both must be 0).
import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "@/db/client";
import { assignNextItem } from "@/lib/assign/assign-next";
import { submitJudgment } from "@/lib/assign/submit";
import { AppError } from "@/lib/errors";
import { mulberry32 } from "@/lib/random";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { campaigns } from "@/db/schema";
import { freshDatabase, log, num, percentile } from "./lib";

type Campaign = typeof campaigns.$inferSelect;

async function setup(db: Db, n: number, clients: number, k: number): Promise<{ campaign: Campaign; people: string[] }> {
  const [owner] = rowsOf<{ id: string }>(await db.execute(sql`insert into users (email, name, role) values ('owner@bench', 'Owner', 'researcher') returning id`));
  const people = rowsOf<{ id: string }>(
    await db.execute(sql`insert into users (email, name) select 'c' || g || '@bench', 'Contributor ' || g from generate_series(1, ${clients}) g returning id`),
  ).map((r) => r.id);
  const [campaign] = await db
    .insert(campaigns)
    .values({ slug: "bench", name: "Bench", rubric: { type: "likert", min: 1, max: 5 }, k, routingPolicy: defaultRoutingPolicy, status: "active", ownerId: owner!.id })
    .returning();
  await db.execute(sql`insert into campaign_members (campaign_id, user_id, role) select ${campaign!.id}, id, 'annotator' from users where email like 'c%@bench'`);
  // Routed items with priorities in [1, 2] like lib/routing (targeted by urgency, control by an independent draw).
  await db.execute(sql`
    insert into items (campaign_id, external_id, input, output, judge_score, judge_confidence, routed, inclusion_prob, route_reason, priority)
    select ${campaign!.id}, 'b' || g, 'Question ' || g, 'Answer ' || g, '3'::jsonb, random(), true,
           case when g % 10 = 0 then 0.1 else 1 end,
           (case when g % 10 = 0 then 'control' when g % 2 = 0 then 'tail' else 'low_confidence' end)::route_reason,
           1 + random()
    from generate_series(1, ${n}) g`);
  await db.execute(sql`analyze`);
  return { campaign: campaign!, people };
}

type RunStats = { cycles: number; refused: number; latencies: number[] };

async function runContributors(db: Db, campaign: Campaign, people: string[], seconds: number, thinkMs: number, seed: number): Promise<RunStats> {
  const rand = mulberry32(seed);
  const stats: RunStats = { cycles: 0, refused: 0, latencies: [] };
  const end = Date.now() + seconds * 1000;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(
    people.map(async (who, i) => {
      if (thinkMs > 0) await sleep(rand() * thinkMs); // stagger the start
      while (Date.now() < end) {
        const t0 = performance.now();
        const item = await assignNextItem(db, campaign, who, { random: rand });
        stats.latencies.push(performance.now() - t0);
        if (!item) return;
        if (thinkMs > 0) await sleep(-Math.log(1 - rand()) * thinkMs);
        try {
          await submitJudgment(db, campaign, who, { assignmentId: item.assignmentId, value: 1 + ((i + stats.cycles) % 5) });
          stats.cycles++;
        } catch (e) {
          if (!(e instanceof AppError && e.code === "conflict")) throw e;
          stats.refused++;
        }
      }
    }),
  );
  return stats;
}

async function checks(db: Db, campaignId: string, k: number) {
  const [r] = rowsOf<{ dup_judgments: number; dup_leases: number; over_k: number; counter_drift: number }>(
    await db.execute(sql`
      select
        (select count(*)::int from (select 1 from judgments where campaign_id = ${campaignId} group by item_id, annotator_id having count(*) > 1) d) as dup_judgments,
        (select count(*)::int from (select 1 from assignments where campaign_id = ${campaignId} group by item_id, annotator_id having count(*) > 1) d) as dup_leases,
        (select count(*)::int from (select item_id from judgments where campaign_id = ${campaignId} group by item_id having count(*) > ${k}) o) as over_k,
        (select count(*)::int from items i where i.campaign_id = ${campaignId}
           and (i.judgment_count <> (select count(*) from judgments j where j.item_id = i.id) or i.k_reached <> (i.judgment_count >= ${k}))) as counter_drift`),
  );
  return r!;
}

/** The reference: bare SKIP LOCKED dequeue on its own table with a partial index on pending rows (bench.md). */
async function reference(db: Db, n: number, seconds: number, conns: number): Promise<number> {
  await db.execute(sql`create table q (id bigint primary key, priority float8 not null, taken timestamptz)`);
  await db.execute(sql`insert into q select g, random() from generate_series(1, ${n}) g`);
  await db.execute(sql`create index q_pending on q (priority desc, id) where taken is null`);
  await db.execute(sql`analyze q`);
  let done = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (Date.now() < end) {
        const rows = rowsOf(await db.execute(sql`update q set taken = now() where id = (select id from q where taken is null order by priority desc, id limit 1 for update skip locked) returning id`));
        if (rows.length === 0) return;
        done++;
      }
    }),
  );
  return done / ((performance.now() - t0) / 1000);
}

export default async function assignBench(flags: Record<string, string>) {
  if ((flags.mode ?? "http") === "http") return (await import("./assign-http")).assignHttpBench(flags);
  if (flags.mode !== "sql") throw new Error(`--mode ${flags.mode}: http or sql`);
  const n = num(flags, "items", 100_000);
  const clients = num(flags, "clients", 200);
  const k = num(flags, "k", 3);
  const thinkMs = num(flags, "think_ms", 1000);
  const pacedS = num(flags, "paced_s", 30);
  const satS = num(flags, "sat_s", 15);
  const pool = num(flags, "pool", 16);
  const warmS = num(flags, "warmup_s", 3);
  const bench = await freshDatabase(pool);
  try {
    log(`setup: ${n} items, ${clients} contributors, k=${k}, pool ${pool}`);
    const { campaign, people } = await setup(bench.db, n, clients, k);

    // A running server has its pool open and its statements prepared: warm up for warmup_s (same load, not
    // measured; its p99 is printed too), then measure.
    log(`warm-up: ${warmS}s paced`);
    const warm = await runContributors(bench.db, campaign, people, warmS, thinkMs, 3);
    const warmLat = [...warm.latencies].sort((a, b) => a - b);
    log(`warm-up: p99 ${percentile(warmLat, 99).toFixed(2)} ms (connections opening, statements being prepared)`);
    log(`paced run: ${pacedS}s, think time mean ${thinkMs} ms`);
    const paced = await runContributors(bench.db, campaign, people, pacedS, thinkMs, 1);
    const lat = [...paced.latencies].sort((a, b) => a - b);
    const pacedChecks = await checks(bench.db, campaign.id, k);
    log(`paced: ${paced.cycles} submitted, ${paced.refused} refused, p50 ${percentile(lat, 50).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms`, pacedChecks);

    log(`saturation run: ${satS}s, no think time`);
    const t0 = performance.now();
    const sat = await runContributors(bench.db, campaign, people, satS, 0, 2);
    const assignPerS = sat.cycles / ((performance.now() - t0) / 1000);
    const satChecks = await checks(bench.db, campaign.id, k);
    log(`saturation: ${assignPerS.toFixed(0)} assignments/s, ${sat.refused} refused`, satChecks);

    log(`reference: bare SKIP LOCKED dequeue, 16 connections, ${satS}s`);
    const referencePerS = await reference(bench.db, n, satS, 16);
    log(`reference: ${referencePerS.toFixed(0)} dequeues/s`);
    const satLat = [...sat.latencies].sort((a, b) => a - b);
    return {
      clients,
      items: n,
      k,
      pool,
      assign_per_s: Math.round(assignPerS),
      // One assignment = lease + durable submit (two statements, five row writes); the reference is one UPDATE.
      reference_per_s: Math.round(referencePerS),
      ratio: Math.round((assignPerS / referencePerS) * 100) / 100,
      p50_ms: Math.round(percentile(lat, 50) * 100) / 100,
      p99_ms: Math.round(percentile(lat, 99) * 100) / 100,
      paced_requests: lat.length,
      warmup_s: warmS,
      warmup_p99_ms: Math.round(percentile(warmLat, 99) * 100) / 100,
      saturation_p50_ms: Math.round(percentile(satLat, 50) * 100) / 100,
      double_assignments: pacedChecks.dup_judgments + pacedChecks.dup_leases + satChecks.dup_judgments + satChecks.dup_leases,
      over_k: pacedChecks.over_k + satChecks.over_k,
      counter_drift: pacedChecks.counter_drift + satChecks.counter_drift,
      refused_submits: paced.refused + sat.refused,
    };
  } finally {
    await bench.drop();
  }
}
