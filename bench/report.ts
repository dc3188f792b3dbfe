// npm run bench -- report [--items 1000000 --judgments 300000 --routed judgments/3]
// Cold (no cache) and warm (cache hit) disagreement report on a campaign generated with set-based SQL:
// Zipf-like groups, a rare tail routed with π = 1, a systematic control sample with π = p, k ratings per rated item.
// Beside the cold time, the same run measures the reference: one bare SQL aggregate over the same judgments × items
// × records (referenceAggregate below), the least any report must read. At 10M items run it as
// `--items 10000000 --judgments 3000000` (several GB; the database is dropped at the end unless --keep true).
import os from "node:os";
import { sql } from "drizzle-orm";
import { campaigns, routingRuns, users } from "@/db/schema";
import { reportCells, reportJudgments, reportWatermark } from "@/db/queries/report";
import { DECILE_CUTS, DEFAULT_REPORT_PARAMS, getReport } from "@/lib/report";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import type { Db } from "@/db";
import { freshDatabase, log, num, rssSampler, withoutSecondaryIndexes } from "./lib";

/**
 * The reference: the minimum read a report needs, as one statement. Every judgment of the campaign is read and
 * aggregated per (item, version) (the consensus input: the mean of its values), joined to its item (the judge's
 * score) and to the run's inclusion record at that version (π, group, tail), and reduced per (group, tail bucket)
 * to the Horvitz–Thompson sums of a judge-agreement and a bias estimate. It sets nothing aside (no exclusions, gold
 * or superseded versions, which the bench's data does not have) and returns a few hundred rows, so what it
 * measures is the server's scan, hash joins and aggregation, with no rows shipped and no statistics computed: a
 * floor under the report, not a rival implementation. PostgreSQL may choose any plan for it (parallel included).
 */
async function referenceAggregate(db: Db, campaignId: string, runId: string, cuts: readonly number[]): Promise<{ s: number; strata: number; labelled: number }> {
  const thresholds = sql.raw(`array[${cuts.map((c) => `${Number(c)}::float8`).join(", ")}]::float8[]`);
  const t = performance.now();
  const rows = (await db.execute(sql`
    select r."group", width_bucket(r.tail, ${thresholds}) as bucket, count(*)::int as n, sum(1 / r.pi) as w,
           sum((abs(j.mean - (i.judge_score)::float8) < 0.5)::int / r.pi) as agree_w,
           sum((j.mean - (i.judge_score)::float8) / r.pi) as bias_w
    from (select item_id, item_version, avg((value)::float8) as mean
          from judgments where campaign_id = ${campaignId} group by 1, 2) j
    join items i on i.id = j.item_id
    join inclusion_records r on r.run_id = ${runId} and r.item_id = j.item_id and r.item_version = j.item_version and r.in_sample
    group by 1, 2`)) as unknown as { n: number }[];
  return { s: (performance.now() - t) / 1000, strata: rows.length, labelled: rows.reduce((a, r) => a + Number(r.n), 0) };
}

export default async function bench(flags: Record<string, string>) {
  const nItems = num(flags, "items", 1_000_000);
  const nJudgments = num(flags, "judgments", 300_000);
  const nRouted = num(flags, "routed", Math.round(nJudgments / 3));
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
    // Secondary indexes are dropped while the data goes in and built once at the end (sorted builds, not ten
    // million random index insertions): at 10M items that is minutes instead of tens of minutes.
    const rebuild = await withoutSecondaryIndexes(db.db, ["items", "judgments", "inclusion_records"]);
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
    await rebuild();
    // As autovacuum would have by the time anyone reads a report of an established campaign: hint bits and the
    // visibility map set, statistics current (without it the first read of freshly written rows also writes).
    await db.db.execute(sql`vacuum analyze`);
    const counts = (await db.db.execute(sql`select (select count(*) from items)::int as items, (select count(*) from items where routed)::int as routed, (select count(*) from judgments)::int as judgments`)) as unknown as { items: number; routed: number; judgments: number }[];
    const t2 = performance.now();
    log(`generated ${JSON.stringify(counts[0])} in ${((t2 - t0) / 1000).toFixed(1)} s (items ${((t1 - t0) / 1000).toFixed(1)} s)`);

    const params = { ...DEFAULT_REPORT_PARAMS, cuts: DECILE_CUTS, minN: 20 };
    const dbs = { reads: db.db, writes: db.db };
    // The reference runs right before and right after the cold report (the machine is shared: the two are averaged).
    const ref1 = await referenceAggregate(db.db, campaign.id, run!.id, params.cuts);
    log(`reference aggregate (before): ${ref1.s.toFixed(2)} s, ${ref1.labelled} labelled items in ${ref1.strata} strata`);
    await db.db.execute(sql`delete from report_cache`);
    if (typeof global.gc === "function") global.gc();
    const rss = rssSampler();
    const cpu0 = process.cpuUsage();
    const c0 = performance.now();
    const cold = await getReport(campaign, params, dbs);
    const c1 = performance.now();
    // CPU time of this process during the cold run: on a shared machine wall time also counts waiting for a core.
    const cpu = process.cpuUsage(cpu0);
    const peak = rss.stop();
    const ref2 = await referenceAggregate(db.db, campaign.id, run!.id, params.cuts);
    log(`reference aggregate (after): ${ref2.s.toFixed(2)} s`);
    const refS = (ref1.s + ref2.s) / 2;
    const labelled = cold.report.overall.counts.labelled;
    const c15 = performance.now();
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
      reference_s: Math.round(refS * 100) / 100,
      reference_before_s: Math.round(ref1.s * 100) / 100,
      reference_after_s: Math.round(ref2.s * 100) / 100,
      ratio_cold_to_reference: Math.round(((c1 - c0) / 1000 / refS) * 100) / 100,
      target: "cold ≤ 3 × reference; peak RSS < 1 GB at 10M items",
      reference_labelled_items: ref1.labelled,
      report_labelled_items: labelled,
      warm_s: Math.round((c2 - c15)) / 1000,
      peak_rss_mb: peak,
      sql_watermark_s: sqlWatermark,
      sql_cells_s: sqlCells,
      sql_labelled_s: sqlLabelled,
      strata: cold.report.buckets.length + cold.report.groups.length + 1,
      generate_s: Math.round((t2 - t0) / 100) / 10,
    };
  } finally {
    // --keep true leaves the database behind for profiling (its name is logged; drop it by hand afterwards).
    if (flags.keep === "true") log(`kept ${db.url}`);
    else await db.drop();
  }
}
