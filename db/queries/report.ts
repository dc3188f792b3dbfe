import { and, eq, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client";
import { campaigns, items, judgments, reportCache } from "../schema";

// Judgments that count in reports: all but those of members a researcher excluded (gold checks). Imported
// judgments (external raters, annotator_id null) always count.
const countedJudgments = (campaignId: string) => sql`
  select j.item_id, j.item_version, j.id, j.value, j.rationale, j.annotator_id, j.external_rater_id
  from ${judgments} j
  left join campaign_members m on m.campaign_id = j.campaign_id and m.user_id = j.annotator_id
  where j.campaign_id = ${campaignId} and not coalesce(m.excluded_from_reports, false)`;

/**
 * What the report depends on, in one short string: judgments (count, last change), exclusions, the campaign's k,
 * rubric and last edit, and its items as of the last import and the last routing run. Items change only through
 * those two (each writes its items and its record in one transaction; submits touch judgment_count, which the
 * judgments part covers), so their records stand in for a scan of every item (0.3 s at 1M items).
 */
export async function reportWatermark(db: Db, campaignId: string): Promise<string> {
  const [row] = rowsOf<{ w: string }>(
    await db.execute(sql`
      select md5(
        (select count(*)::text || ':' || coalesce(max(updated_at)::text, '') from ${judgments} where campaign_id = ${campaignId}) || '|' ||
        (select count(*)::text || ':' || coalesce(max(created_at)::text, '') from imports where campaign_id = ${campaignId}) || '|' ||
        (select count(*)::text || ':' || coalesce(max(created_at)::text, '') from routing_runs where campaign_id = ${campaignId}) || '|' ||
        (select coalesce(string_agg(user_id::text, ',' order by user_id), '') from campaign_members
           where campaign_id = ${campaignId} and excluded_from_reports) || '|' ||
        (select k::text || ':' || rubric::text || ':' || updated_at::text from ${campaigns} where id = ${campaignId})
      ) as w`),
  );
  return row!.w;
}

export type DesignRun = { id: string; createdAt: string; seed: string; policy: unknown; policyVersion: number; itemsTotal: number; itemsRouted: number };

/** The routing run a report uses: the one named (of this campaign only), else the campaign's latest; null if none. */
export async function designRun(db: Db, campaignId: string, runId?: string): Promise<DesignRun | null> {
  const rows = rowsOf<{ id: string; created_at: string | Date; seed: string; policy: unknown; policy_version: number; items_total: number; items_routed: number }>(
    await db.execute(sql`select id, created_at, seed, policy, policy_version, items_total, items_routed from routing_runs
      where campaign_id = ${campaignId} ${runId ? sql`and id = ${runId}` : sql``}
      order by created_at desc, id desc limit 1`),
  );
  const r = rows[0];
  if (!r) return null;
  return { id: r.id, createdAt: new Date(r.created_at).toISOString(), seed: r.seed, policy: typeof r.policy === "string" ? JSON.parse(r.policy) : r.policy, policyVersion: r.policy_version, itemsTotal: r.items_total, itemsRouted: r.items_routed };
}

export type ReportCellRow = { group: string | null; bucket: number | null; reason: string | null; items: number; judged: number; sampled: number; routed: number };

/**
 * Population counts per (group, tail bucket, inclusion reason) cell of a routing run's design, in one grouped pass
 * over its inclusion records (group and tail as the run saw them). Gold items have no records: they are no part
 * of the population. Everything here is as of the run, so a report on an earlier run stays what it was.
 */
export async function reportCells(db: Db, campaignId: string, runId: string, cuts: readonly number[]): Promise<ReportCellRow[]> {
  const thresholds = sql`array[${sql.join(cuts.map((c) => sql`${c}::float8`), sql`, `)}]::float8[]`;
  return rowsOf<ReportCellRow>(
    await db.execute(sql`
      select r."group", width_bucket(r.tail, ${thresholds}) as bucket, r.reason,
             count(*)::int as items,
             count(*) filter (where r.judged)::int as judged,
             count(*) filter (where r.in_sample)::int as sampled,
             count(*) filter (where r.routed)::int as routed
      from inclusion_records r
      where r.run_id = ${runId}
      group by 1, 2, 3`),
  ).map((r) => ({ ...r, bucket: r.bucket === null ? null : Number(r.bucket) }));
}

export type LabelledItemRow = {
  itemId: number;
  externalId: string;
  version: number;
  group: string | null;
  tail: number | null;
  pi: number;
  reason: string | null;
  /** The judge's confidence as the run's record holds it (null: none, or a record from before it was kept). */
  confidence: number | null;
  judgeScore: number | string | null;
  values: (number | string)[];
  /** Rater keys in the order of `values` (only when asked for: Dawid–Skene needs them). */
  raters?: string[];
};

export type AccountingStatus = "counted" | "gold" | "superseded" | "excluded_rater" | "outside_design";
export type AccountingRow = { status: AccountingStatus; items: number; judgments: number };

/**
 * Where a group of judgments (one item, one item version, excluded rater or not) goes in a report on a run: counted,
 * or set aside with its reason: on a gold item (no record: gold items are no part of any design); made on an
 * earlier version than the run's record (or the item's current one) names (superseded); by an excluded member; on
 * an item the run's sample does not hold at that version (outside the design: not routed and no prior labels, or
 * imported or changed after the run).
 */
export function judgmentStatus(g: { version: number; excluded: boolean; gold: boolean; itemVersion: number; record: { version: number; inSample: boolean } | null }): AccountingStatus {
  const r = g.record;
  if (r === null && g.gold) return "gold";
  if (g.version < (r?.version ?? g.itemVersion)) return "superseded";
  if (r === null) return "outside_design";
  if (g.excluded) return "excluded_rater";
  if (!r.inSample || g.version !== r.version) return "outside_design";
  return "counted";
}

/**
 * Every judgment of the campaign in one pass, for a report on run R: the labelled items (sampled items with their
 * counted ratings: made on the version R's record names, not by an excluded member; the judge score of that
 * version, which item_versions keeps for replaced content) and the accounting of everything set aside. Judgments
 * are first aggregated per (item, version, excluded), then joined to R's records: one scan of the campaign's
 * judgments whatever is set aside. Neither the rows nor the ratings in them are ordered, which lets PostgreSQL
 * hash-aggregate instead of sorting 300k rows: the report sorts the rows by item (lib/report/assemble.ts), and
 * every statistic of an item's ratings is order-free.
 */
export async function reportJudgments(db: Db, campaignId: string, runId: string, opts: { raters?: boolean; arrivalOrder?: boolean } = {}): Promise<{ labelled: LabelledItemRow[]; accounting: AccountingRow[] }> {
  // Serial on purpose: a parallel plan builds the whole judgments hash in every worker (PostgreSQL 15's
  // parallel-oblivious hash join), slower than one process at 300k judgments. Hash and merge joins are off as
  // well: with them the planner hashes (or walks in id order) the whole campaign's items and the run's records
  // (1M rows each at 1M items; the hashes spilled to disk in 16 batches at the default work_mem) to meet 100k
  // groups of judgments, where probing the primary keys once per group, in item order, reads only the labelled
  // items and scales with them, not with the campaign (at 10M items the hashes would not fit in memory at all).
  // No JIT: compiling took ~0.1 s of a query whose work is index probes.
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    await tx.execute(sql`set local enable_hashjoin = off`);
    await tx.execute(sql`set local enable_mergejoin = off`);
    await tx.execute(sql`set local jit = off`);
    return tx.execute(sql`
      select j.item_id as id, j.item_version as jv, j.ex, j.n, j.vals ${opts.raters || opts.arrivalOrder ? sql`, j.raters` : sql``},
             i.external_id as ext, i.version as iv, (i.gold_answer is not null) as gold,
             r.item_version as rv, r.in_sample, r."group" as grp, r.tail, r.pi, r.reason, r.confidence,
             (case when r.item_version = i.version then i.judge_score else v.judge_score end)::text as judge
      from (select j.item_id, j.item_version,
                   -- One hashed lookup of the (few) excluded members, not a join probed once per judgment.
                   coalesce(j.annotator_id in (select user_id from campaign_members where campaign_id = ${campaignId} and excluded_from_reports), false) as ex,
                   count(*)::int as n,
                   ${opts.arrivalOrder
                     ? // Adaptive k: values (and raters) in the order they arrived; the report reads the first k_min.
                       sql`'[' || string_agg(j.value::text, ',' order by j.id) || ']' as vals,
                           string_agg(coalesce(j.annotator_id, j.external_rater_id)::text, ',' order by j.id) as raters`
                     : opts.raters
                     ? // Dawid–Skene reads raters: values and raters in one stable order (the fit's float sums follow it).
                       sql`'[' || string_agg(j.value::text, ',' order by coalesce(j.annotator_id, j.external_rater_id)) || ']' as vals,
                           string_agg(coalesce(j.annotator_id, j.external_rater_id)::text, ',' order by coalesce(j.annotator_id, j.external_rater_id)) as raters`
                     : sql`'[' || string_agg(j.value::text, ',') || ']' as vals`}
            from ${judgments} j
            where j.campaign_id = ${campaignId}
            group by 1, 2, 3) j
      join ${items} i on i.id = j.item_id
      left join inclusion_records r on r.run_id = ${runId} and r.item_id = j.item_id
      left join item_versions v on v.item_id = j.item_id and v.version = r.item_version and r.item_version <> i.version`);
  });
  type Row = {
    id: number | string; jv: number; ex: boolean; n: number; vals: string; raters?: string; ext: string; iv: number; gold: boolean;
    rv: number | null; in_sample: boolean | null; grp: string | null; tail: number | null; pi: number | null; reason: string | null; confidence: number | null; judge: string | null;
  };
  const labelled: LabelledItemRow[] = [];
  const tally = new Map<AccountingStatus, { items: Set<number>; judgments: number }>();
  for (const r of rowsOf<Row>(result)) {
    const itemId = Number(r.id);
    const status = judgmentStatus({
      version: Number(r.jv),
      excluded: r.ex,
      gold: r.gold,
      itemVersion: Number(r.iv),
      record: r.rv === null ? null : { version: Number(r.rv), inSample: r.in_sample === true },
    });
    let t = tally.get(status);
    if (!t) tally.set(status, (t = { items: new Set(), judgments: 0 }));
    t.items.add(itemId);
    t.judgments += r.n;
    if (status !== "counted") continue;
    labelled.push({
      itemId,
      externalId: r.ext,
      version: Number(r.rv),
      group: r.grp,
      tail: r.tail === null ? null : Number(r.tail),
      pi: Number(r.pi),
      reason: r.reason,
      confidence: r.confidence === null ? null : Number(r.confidence),
      judgeScore: r.judge === null ? null : (JSON.parse(r.judge) as number | string | null),
      values: JSON.parse(r.vals) as (number | string)[],
      ...(r.raters !== undefined ? { raters: r.raters.split(",") } : {}),
    });
  }
  const accounting = [...tally.entries()].map(([status, t]) => ({ status, items: t.items.size, judgments: t.judgments }));
  return { labelled, accounting };
}

export async function readReportCache(db: Db, campaignId: string, key: string, watermark: string): Promise<unknown | null> {
  const [row] = await db
    .select({ payload: reportCache.payload })
    .from(reportCache)
    .where(and(eq(reportCache.campaignId, campaignId), eq(reportCache.key, key), eq(reportCache.watermark, watermark)));
  return row?.payload ?? null;
}

export async function writeReportCache(db: Db, campaignId: string, key: string, watermark: string, payload: unknown): Promise<void> {
  await db
    .insert(reportCache)
    .values({ campaignId, key, watermark, payload })
    .onConflictDoUpdate({ target: [reportCache.campaignId, reportCache.key], set: { watermark, payload, computedAt: sql`now()` } });
}

export type DisagreementDetail = {
  itemId: number;
  input: string;
  output: string;
  outputB: string | null;
  judgeRationale: string | null;
  ratings: { value: number | string; rationale: string | null; source: "member" | "imported" }[];
};

/**
 * Evidence for a page of disagreements: each item (of this campaign only) as it was in the version the report used
 * (item_versions keeps replaced content), with that version's counted ratings.
 */
export async function disagreementDetails(db: Db, campaignId: string, refs: { itemId: number; version: number }[]): Promise<Map<number, DisagreementDetail>> {
  const out = new Map<number, DisagreementDetail>();
  if (refs.length === 0) return out;
  const wanted = JSON.stringify(refs.map((r) => ({ id: r.itemId, v: r.version })));
  const rows = rowsOf<{ id: number | string; v: number; input: string; output: string; output_b: string | null; judge_rationale: string | null }>(
    await db.execute(sql`
      select i.id, x.v, coalesce(old.input, i.input) as input, coalesce(old.output, i.output) as output,
             case when old.item_id is null then i.output_b else old.output_b end as output_b,
             case when old.item_id is null then i.judge_rationale else old.judge_rationale end as judge_rationale
      from json_to_recordset(${wanted}::json) as x(id bigint, v int)
      join ${items} i on i.id = x.id and i.campaign_id = ${campaignId}
      left join item_versions old on old.item_id = i.id and old.version = x.v and x.v <> i.version`),
  );
  const version = new Map<number, number>();
  for (const r of rows) {
    out.set(Number(r.id), { itemId: Number(r.id), input: r.input, output: r.output, outputB: r.output_b, judgeRationale: r.judge_rationale, ratings: [] });
    version.set(Number(r.id), Number(r.v));
  }
  if (out.size === 0) return out;
  const ids = sql.join([...out.keys()].map((id) => sql`${id}`), sql`, `);
  const ratings = rowsOf<{ item_id: number | string; item_version: number; value: string; rationale: string | null; annotator_id: string | null }>(
    await db.execute(sql`select c.item_id, c.item_version, c.value::text as value, c.rationale, c.annotator_id
      from (${countedJudgments(campaignId)}) c where c.item_id in (${ids}) order by c.item_id, c.id`),
  );
  for (const r of ratings) {
    if (version.get(Number(r.item_id)) !== Number(r.item_version)) continue;
    out.get(Number(r.item_id))?.ratings.push({
      value: JSON.parse(r.value) as number | string,
      rationale: r.rationale,
      source: r.annotator_id ? "member" : "imported",
    });
  }
  return out;
}

export async function campaignSlugById(db: Db, campaignId: string): Promise<string | null> {
  const [row] = await db.select({ slug: campaigns.slug }).from(campaigns).where(eq(campaigns.id, campaignId));
  return row?.slug ?? null;
}
