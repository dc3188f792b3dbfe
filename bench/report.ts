// npm run bench -- report [--items 1000000 --routed 100000 --judgments 300000]
// Cold (no cache) and warm (cache hit) disagreement report on a campaign generated with set-based SQL:
// Zipf-like groups, a rare tail routed with π = 1, a systematic control sample with π = p, k ratings per rated item.
import os from "node:os";
import { sql } from "drizzle-orm";
import { campaigns, routingRuns, users } from "@/db/schema";
import { reportCells, reportJudgments, reportWatermark } from "@/db/queries/report";
import { DECILE_CUTS, DEFAULT_REPORT_PARAMS, getReport } from "@/lib/report";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { freshDatabase, log, num, rssSampler } from "./lib";

export default async function bench(flags: Record<string, string>) {
  const nItems = num(flags, "items", 1_000_000);
  const nRouted = num(flags, "routed", 100_000);
  const nJudgments = num(flags, "judgments", 300_000);
  const raters = Math.max(1, Math.round(nJudgments / nRouted));
  const db = await freshDatabase(4);
  try {
    const people = await db.db
      .insert(users)
      .values(Array.from({ length: raters + 1 }, (_, i) => ({ email: `bench${i}@margin.test`, name: `bench ${i}`, role: "researcher" as const })))
      .returning({ id: users.id });
    const [c] = await db.db
      .insert(campaigns)
      .values({ slug: "bench", name: "Bench", rubric: { type: "likert", min: 1, max: 5 }, k: raters, routingPolicy: defaultRoutingPolicy, ownerId: people[0]!.id, status: "active", stratificationKey: "g" })
      .returning();
    const campaign = c!;
    // Half the routed items are the tail (π = 1), half a systematic control sample of the rest (π = p).
    const tailEvery = Math.max(1, Math.round(nItems / (nRouted / 2)));
    const controlRate = nRouted / 2 / (nItems - nItems / tailEvery);
    const t0 = performance.now();
    await db.db.execute(sql`select setseed(0.42)`);
    await db.db.execute(sql`
      insert into items (campaign_id, external_id, output, "group", judge_score, judge_confidence, tail_score, routed, inclusion_prob, route_reason, priority)
      select ${campaign.id}, 'b' || i, 'output ' || i, g, to_jsonb(js), 0.9, tail, routed, pi, reason, 0
      from (
        select i, tail_item,
               case when tail_item then 'rare' || (i % 40) else 'g' || least(20, floor(-ln(1 - random()) * 4)::int) end as g,
               case when tail_item then 0.95 else least(0.79, (i % 8) / 10.0) end as tail,
               1 + (i * 7 % 5) as js,
               tail_item or random() < ${controlRate} as routed,
               case when tail_item then 1.0 else ${controlRate} end as pi,
               case when tail_item then 'tail'::route_reason else 'control'::route_reason end as reason
        from (select i, i % ${tailEvery} = 0 as tail_item from generate_series(1, ${nItems}) i) s
      ) x`);
    const t1 = performance.now();
    // Humans: the judge's score ± 1 on the bulk, the judge 1 point high on the tail.
    const ids = people.slice(1).map((p) => p.id);
    await db.db.execute(sql`
      insert into judgments (campaign_id, item_id, annotator_id, value)
      select i.campaign_id, i.id, a.id,
             to_jsonb(greatest(1, least(5, (i.judge_score)::text::int - case when i.route_reason = 'tail' then 1 else 0 end + (floor(random() * 3)::int - 1))))
      from items i cross join unnest(${sql.raw(`array[${ids.map((x) => `'${x}'::uuid`).join(",")}]`)}) as a(id)
      where i.campaign_id = ${campaign.id} and i.routed`);
    await db.db.execute(sql`update items set judgment_count = ${raters} where campaign_id = ${campaign.id} and routed`);
    // The routing run's inclusion records (one per item), as lib/routing writes them: the design the report reads.
    const [run] = await db.db
      .insert(routingRuns)
      .values({ campaignId: campaign.id, seed: "bench", policy: defaultRoutingPolicy, policyVersion: 1, itemsTotal: nItems, itemsRouted: nRouted })
      .returning({ id: routingRuns.id });
    await db.db.execute(sql`
      insert into inclusion_records (run_id, item_id, item_version, "group", tail, judged, route_pi, u, routed, prior_pi, in_sample, pi, reason)
      select ${run!.id}, id, version, "group", tail_score, judge_score is not null, inclusion_prob, random(), routed, null, routed, inclusion_prob, case when routed then route_reason::text end
      from items where campaign_id = ${campaign.id}`);
    // As autovacuum would have by the time anyone reads a report of an established campaign: hint bits and the
    // visibility map set, statistics current (without it the first read of freshly written rows also writes).
    await db.db.execute(sql`vacuum analyze`);
    const counts = (await db.db.execute(sql`select (select count(*) from items)::int as items, (select count(*) from items where routed)::int as routed, (select count(*) from judgments)::int as judgments`)) as unknown as { items: number; routed: number; judgments: number }[];
    const t2 = performance.now();
    log(`generated ${JSON.stringify(counts[0])} in ${((t2 - t0) / 1000).toFixed(1)} s (items ${((t1 - t0) / 1000).toFixed(1)} s)`);

    const params = { ...DEFAULT_REPORT_PARAMS, cuts: DECILE_CUTS, minN: 20 };
    const dbs = { reads: db.db, writes: db.db };
    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const c0 = performance.now();
    const cold = await getReport(campaign, params, dbs);
    const c1 = performance.now();
    // CPU time of this process during the cold run: on a shared machine wall time also counts waiting for a core.
    const cpu = process.cpuUsage(cpu0);
    const peak = rss.stop();
    const warm = await getReport(campaign, params, dbs);
    const c2 = performance.now();
    // Where the cold time goes: each query alone, after the run (warm buffers).
    const timed = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return Math.round(performance.now() - t) / 1000;
    };
    const sqlWatermark = await timed(() => reportWatermark(db.db, campaign.id));
    const sqlCells = await timed(() => reportCells(db.db, campaign.id, run!.id, params.cuts));
    const sqlLabelled = await timed(() => reportJudgments(db.db, campaign.id, run!.id));
    log(`cold ${((c1 - c0) / 1000).toFixed(2)} s (cached: ${cold.cached}), warm ${((c2 - c1) / 1000).toFixed(3)} s (cached: ${warm.cached}); overall agreement ${cold.report.overall.judgeAgreement?.estimate.toFixed(3)}, bias ${cold.report.overall.bias?.estimate.toFixed(3)} (naive ${cold.report.overall.biasNaive?.estimate.toFixed(3)})`);
    return {
      items: counts[0]!.items,
      routed: counts[0]!.routed,
      judgments: counts[0]!.judgments,
      cold_s: Math.round((c1 - c0) / 10) / 100,
      cold_cpu_s: Math.round((cpu.user + cpu.system) / 10_000) / 100,
      load_avg_1m: Math.round(os.loadavg()[0]! * 100) / 100,
      warm_s: Math.round((c2 - c1)) / 1000,
      peak_rss_mb: peak,
      sql_watermark_s: sqlWatermark,
      sql_cells_s: sqlCells,
      sql_labelled_s: sqlLabelled,
      strata: cold.report.buckets.length + cold.report.groups.length + 1,
      generate_s: Math.round((t2 - t0) / 100) / 10,
    };
  } finally {
    await db.drop();
  }
}
