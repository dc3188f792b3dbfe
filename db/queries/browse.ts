import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db } from "../client";
import { isFiltered, type BrowseFilter, type BrowseQuery, type Range, type SortKey } from "@/lib/browse/params";
import { rubricValues, type Rubric } from "@/lib/validation/campaign";
import type { ConsensusMethod } from "@/lib/report/types";

// The item browser's SQL (docs/item-browser.md): one campaign's items under a filter, in a keyset order, a page at
// a time. Every single facet has an index that answers it without reading the campaign's other items, except the
// human consensus, which is computed from the ratings (see consensusSql).

/** What the SQL needs to know about the campaign. */
export type BrowseCampaign = { id: string; rubric: Rubric; stratificationKey: string | null; consensus: ConsensusMethod };

export type BrowseRow = {
  id: number;
  externalId: string;
  group: string | null;
  inputPreview: string;
  tailScore: number | null;
  inclusionProb: number | null;
  routeReason: string | null;
  routed: boolean;
  gold: boolean;
  judgeScore: number | string | null;
  judgeConfidence: number | null;
  judgmentCount: number;
  version: number;
  updatedAt: string;
  openFlags: number;
  flags: number;
  /** The consensus of the current version's counted ratings (scale value), null without ratings. */
  consensus: number | string | null;
  /** Counted ratings on the current version. */
  ratings: number;
  /** Judge score = consensus; null when either is missing. */
  agree: boolean | null;
};

/** The keyset value of a row under a sort (what the next page's cursor carries). */
export type SortValue = number | string | null;

// Sort expressions: nullable columns sort as -1 (their check constraints keep real values in [0, 1]), so one
// btree on the same expression orders both ways and the keyset comparison never meets a null.
const SORTS: Record<SortKey, { expr: SQL; cursorValue: SQL }> = {
  id: { expr: sql`i.id`, cursorValue: sql`i.id` },
  external_id: { expr: sql`i.external_id`, cursorValue: sql`i.external_id` },
  tail: { expr: sql`coalesce(i.tail_score, -1)`, cursorValue: sql`coalesce(i.tail_score, -1)` },
  confidence: { expr: sql`coalesce(i.judge_confidence, -1)`, cursorValue: sql`coalesce(i.judge_confidence, -1)` },
  judgments: { expr: sql`i.judgment_count`, cursorValue: sql`i.judgment_count` },
  // Microseconds survive the round trip as text (a JavaScript Date would drop them and skip or repeat rows).
  updated: { expr: sql`i.updated_at`, cursorValue: sql`to_char(i.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` },
};

function cursorLiteral(sort: SortKey, v: SortValue): SQL {
  switch (sort) {
    case "external_id":
      return sql`${String(v)}::text`;
    case "updated":
      return sql`${String(v)}::timestamptz`;
    case "judgments":
      return sql`${Number(v)}::int`;
    default:
      return sql`${Number(v)}::float8`;
  }
}

function rangeSql(expr: SQL, r: Range, nullAs: "null" | "minus-one"): SQL {
  if ("none" in r) return nullAs === "null" ? sql`${expr} is null` : sql`${expr} = -1`;
  if ("eq" in r) return sql`${expr} = ${r.eq}::float8`;
  const parts: SQL[] = [];
  if (r.lo !== null) parts.push(sql`${expr} >= ${r.lo}::float8`);
  if (r.hi !== null) parts.push(sql`${expr} < ${r.hi}::float8`);
  // "up to" on a nullable column never includes the items without a value (-1 stands for them).
  if (r.lo === null && nullAs === "minus-one") parts.push(sql`${expr} >= 0`);
  return sql.join(parts, sql` and `);
}

/** jsonb of a scale value as stored (numbers as numbers). */
const jsonbOf = (v: number | string) => sql`${JSON.stringify(v)}::jsonb`;

/**
 * A metadata facet: the stratification key reads the denormalised group column (metadata ->> key, see
 * refreshGroups); any other key is a containment test the GIN index answers (a URL cannot say whether "3" was a
 * number or a string, so both are looked up; numbers compare as numbers, so 3 also finds 3.0). No second test on
 * metadata ->> key: its selectivity estimate (0.5%) would hide how common the value is from the planner.
 */
function metaSql(c: BrowseCampaign, key: string, value: string): SQL {
  if (c.stratificationKey !== null && key === c.stratificationKey) return sql`i."group" = ${value}`;
  const candidates: unknown[] = [value];
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(value) && Number.isFinite(Number(value))) candidates.push(Number(value));
  if (value === "true" || value === "false") candidates.push(value === "true");
  const contains = sql.join(
    candidates.map((v) => sql`i.metadata @> ${JSON.stringify({ [key]: v })}::jsonb`),
    sql` or `,
  );
  return candidates.length === 1 ? contains : sql`(${contains})`;
}

/** Scale index of a stored rating or judge score (null off the scale); fractional likert scores to the nearest point. */
export function scaleIndexSql(rubric: Rubric, value: SQL, fractional: boolean): SQL {
  const values = rubricValues(rubric);
  const whens = sql.join(values.map((v, k) => sql`when ${jsonbOf(v)} then ${sql.raw(String(k))}`), sql` `);
  if (fractional && rubric.type === "likert") {
    const n = values.length;
    const [lo, hi, top] = [rubric.min, rubric.max, n - 1].map((x) => sql.raw(String(x)));
    return sql`(case ${value} ${whens} else case when jsonb_typeof(${value}) = 'number' and (${value} #>> '{}')::numeric between ${lo} and ${hi}
      then least(${top}, greatest(0, floor((${value} #>> '{}')::numeric - ${lo} + 0.5)))::int end end)`;
  }
  return sql`(case ${value} ${whens} end)`;
}

/**
 * Per (item, version): the consensus scale index of the counted ratings (excluded members left out, as in reports),
 * from per-value counts so it streams in item order: median = the lower median, majority = the most frequent value
 * (ties to the lower one), mean = the nearest point to the mean. Dawid–Skene is a model fitted over every item, so
 * here (one item at a time) it reads as majority; the report has the fitted classes.
 */
function consensusSql(c: BrowseCampaign, where: SQL, order: "asc" | "desc" | null = null): SQL {
  const values = rubricValues(c.rubric);
  const n = values.length;
  const counts = sql.join(values.map((v, k) => sql`count(*) filter (where j.value = ${jsonbOf(v)}) as n${sql.raw(String(k))}`), sql`, `);
  const cnt = (k: number) => sql.raw(`g.n${k}`);
  const total = sql.raw(Array.from({ length: n }, (_, k) => `g.n${k}`).join(" + "));
  let code: SQL;
  const method = c.consensus;
  if (method === "median") {
    const whens = Array.from({ length: n }, (_, k) => sql`when ${sql.raw(Array.from({ length: k + 1 }, (_, x) => `g.n${x}`).join(" + "))} > (${total} - 1) / 2 then ${sql.raw(String(k))}`);
    code = sql`case ${sql.join(whens, sql` `)} end`;
  } else if (method === "mean" && c.rubric.type === "likert") {
    const sum = sql.raw(values.map((v, k) => `${Number(v)} * g.n${k}`).join(" + "));
    code = sql`least(${sql.raw(String(n - 1))}, greatest(0, floor((${sum})::numeric / nullif(${total}, 0) - ${sql.raw(String(c.rubric.min))} + 0.5)))::int`;
  } else {
    const max = n === 1 ? cnt(0) : sql`greatest(${sql.join(Array.from({ length: n }, (_, k) => cnt(k)), sql`, `)})`;
    code = sql`case ${sql.join(Array.from({ length: n }, (_, k) => sql`when ${cnt(k)} = ${max} then ${sql.raw(String(k))}`), sql` `)} end`;
  }
  return sql`
    select g.item_id, g.item_version, (${total})::int as m, ${code} as code
    from (
      select j.item_id, j.item_version, ${counts}
      from judgments j
      where j.campaign_id = ${c.id} and ${where}
        and (j.annotator_id is null or j.annotator_id not in (select user_id from campaign_members where campaign_id = ${c.id} and excluded_from_reports))
      group by j.item_id, j.item_version${order ? sql` order by j.item_id ${sql.raw(order)}, j.item_version ${sql.raw(order)}` : sql``}
    ) g
    where (${total}) > 0`;
}

function facetSql(c: BrowseCampaign, f: BrowseFilter): SQL[] {
  const where: SQL[] = [];
  for (const [k, v] of f.meta) where.push(metaSql(c, k, v));
  if (f.tail) where.push(rangeSql(sql`coalesce(i.tail_score, -1)`, f.tail, "minus-one"));
  if (f.confidence) where.push(rangeSql(sql`coalesce(i.judge_confidence, -1)`, f.confidence, "minus-one"));
  if (f.pi) where.push(rangeSql(sql`i.inclusion_prob`, f.pi, "null"));
  if (f.reason) where.push(f.reason === "none" ? sql`i.route_reason is null` : sql`i.route_reason = ${f.reason}::route_reason`);
  if (f.judge !== undefined) where.push(f.judge === "none" ? sql`i.judge_score is null` : sql`i.judge_score = ${jsonbOf(f.judge)}`);
  if (f.changed) where.push(f.changed === "yes" ? sql`i.version > 1` : sql`i.version = 1`);
  if (f.flags) {
    // Flags are few: their own index lists the items, which are then read by id (an array the pkey scan takes in id
    // order; an IN subquery would let the planner merge-join it against every item of the campaign).
    where.push(sql`i.id = any(array(select fl.item_id from flags fl where fl.campaign_id = ${c.id}${f.flags === "open" ? sql` and fl.status = 'open'` : sql``}))`);
  }
  if (f.consensus === "none") {
    where.push(sql`not exists (select 1 from judgments j where j.item_id = i.id and j.item_version = i.version
      and (j.annotator_id is null or j.annotator_id not in (select user_id from campaign_members where campaign_id = ${c.id} and excluded_from_reports)))`);
  }
  return where;
}

const usesConsensus = (f: BrowseFilter) => (f.consensus !== undefined && f.consensus !== "none") || f.agree !== undefined;

/**
 * How the consensus facets are evaluated: "ratings" aggregates the campaign's ratings in item order and looks each
 * group up as an item; "items" finds the items by the other facets' indexes first and aggregates their ratings one
 * item at a time (the better plan when the other facets leave few items).
 */
type ConsensusDrive = "ratings" | "items";

/** FROM and WHERE of a filtered list (with the keyset condition, when given). */
function filteredFrom(c: BrowseCampaign, q: BrowseQuery, keyset: SQL | null, drive: ConsensusDrive = "ratings"): SQL {
  const f = q.filter;
  const where = [sql`i.campaign_id = ${c.id}`, ...facetSql(c, f)];
  if (keyset) where.push(keyset);
  if (!usesConsensus(f)) return sql`from items i where ${sql.join(where, sql` and `)}`;
  const consensusConds: SQL[] = [];
  if (f.consensus !== undefined && f.consensus !== "none") {
    const k = rubricValues(c.rubric).findIndex((v) => v === f.consensus);
    consensusConds.push(sql`cons.code = ${sql.raw(String(k))}`);
  }
  if (f.agree) {
    const judge = scaleIndexSql(c.rubric, sql`i.judge_score`, true);
    consensusConds.push(f.agree === "yes" ? sql`${judge} = cons.code` : sql`${judge} <> cons.code`);
  }
  where.push(...consensusConds);
  if (drive === "items") {
    // The candidates first, whole (a materialised CTE: the other facets' indexes, no LIMIT to tempt the planner into
    // walking the campaign in order hoping the consensus test passes early), then their ratings one item at a time.
    const [campaignCond, ...rest] = where.filter((w) => !consensusConds.includes(w));
    return sql`from (select * from (with cand as materialized (select i.id, i.external_id, i.version, i.judge_score, i.tail_score, i.judge_confidence, i.judgment_count, i.updated_at from items i where ${sql.join([campaignCond!, ...rest], sql` and `)}) select * from cand) i0) i
      cross join lateral (${consensusSql(c, sql`j.item_id = i.id and j.item_version = i.version`)}) cons
      where ${consensusConds.length ? sql.join(consensusConds, sql` and `) : sql`true`}`;
  }
  // The ratings' aggregate per (item, version) in item order, each group looked up as the item's current version (a
  // lateral subquery behind an offset-0 fence, so the planner keeps the groups' order instead of hashing the
  // campaign's items). Sorted by id, the page streams: it reads only as many ratings as it needs.
  const jWhere = q.sort === "id" && q.cursor ? (q.dir === "asc" ? sql`j.item_id > ${q.cursor.id}` : sql`j.item_id < ${q.cursor.id}`) : sql`true`;
  return sql`from (${consensusSql(c, jWhere, q.sort === "id" ? q.dir : null)}) cons
    cross join lateral (select i.* from items i where i.id = cons.item_id and i.version = cons.item_version and ${sql.join(where, sql` and `)} offset 0) i`;
}

/** `itemDrivenMax`: see ITEM_DRIVEN_MAX (tests set 0 to check the ratings-driven plan on small data). */
export type BrowseOptions = { itemDrivenMax?: number };

/** Below this many items matching the other facets, the consensus facets are evaluated item by item. */
export const ITEM_DRIVEN_MAX = 8000;

/** Which way to evaluate a query's consensus facets (see ConsensusDrive); other queries: irrelevant. */
async function consensusDrive(db: Db, c: BrowseCampaign, q: BrowseQuery, itemDrivenMax = ITEM_DRIVEN_MAX): Promise<ConsensusDrive> {
  const { consensus: _c, agree: _a, ...rest } = q.filter;
  const others: BrowseFilter = { ...rest, ...(q.filter.consensus === "none" ? { consensus: "none" as const } : {}) };
  if (!isFiltered(others)) return "ratings";
  if (itemDrivenMax <= 0) return "ratings";
  const count = await browseCount(db, c, { ...q, filter: others, cursor: null }, itemDrivenMax);
  return count && !count.capped ? "items" : "ratings";
}

function keysetSql(q: BrowseQuery): SQL | null {
  if (!q.cursor) return null;
  const op = sql.raw(q.dir === "asc" ? ">" : "<");
  const s = SORTS[q.sort];
  if (q.sort === "id") return sql`i.id ${op} ${q.cursor.id}`;
  if (q.sort === "external_id") return sql`i.external_id ${op} ${cursorLiteral(q.sort, q.cursor.v)}`;
  return sql`(${s.expr}, i.id) ${op} (${cursorLiteral(q.sort, q.cursor.v)}, ${q.cursor.id}::bigint)`;
}

function orderSql(q: BrowseQuery, streamed: boolean): SQL {
  const d = sql.raw(q.dir);
  // The consensus groups come in item order: ordering by their item id (not the lateral row's) keeps the stream.
  if (q.sort === "id") return streamed ? sql`cons.item_id ${d}` : sql`i.id ${d}`;
  if (q.sort === "external_id") return sql`i.external_id ${d}`;
  return sql`${SORTS[q.sort].expr} ${d}, i.id ${d}`;
}

type RawRow = {
  id: number | string;
  external_id: string;
  group: string | null;
  input_preview: string;
  tail_score: number | null;
  inclusion_prob: number | null;
  route_reason: string | null;
  routed: boolean;
  gold: boolean;
  judge_score: string | null;
  judge_confidence: number | null;
  judgment_count: number;
  version: number;
  updated_at: string | Date;
  open_flags: number;
  flags: number;
  sort_v: number | string | null;
};

/**
 * One page of a campaign's items under the query's filter and order, and the keyset value of its last row when
 * there is a next page. Reads `limit + 1` rows to know.
 */
export async function browsePage(db: Db, c: BrowseCampaign, q: BrowseQuery, opts: BrowseOptions = {}): Promise<{ rows: BrowseRow[]; next: { v: SortValue; id: number } | null }> {
  const consensus = usesConsensus(q.filter);
  const drive = consensus ? await consensusDrive(db, c, q, opts.itemDrivenMax) : "ratings";
  const pageSql = sql`
      with page as (
        select i.id, ${SORTS[q.sort].cursorValue} as sort_v
        ${filteredFrom(c, q, keysetSql(q), drive)}
        order by ${orderSql(q, consensus && drive === "ratings")}
        limit ${q.limit + 1}
      )
      select i.id, i.external_id, i."group", left(i.input, 160) as input_preview, i.tail_score, i.inclusion_prob, i.route_reason::text as route_reason,
             i.routed, i.gold_answer is not null as gold, i.judge_score::text as judge_score, i.judge_confidence, i.judgment_count, i.version, i.updated_at,
             coalesce(fl.open, 0)::int as open_flags, coalesce(fl.n, 0)::int as flags, p.sort_v
      from page p
      join items i on i.id = p.id
      left join lateral (select count(*) filter (where status = 'open') as open, count(*) as n from flags where item_id = i.id) fl on true
      order by ${orderSql(q, false)}`;
  // Only the ratings-driven plan needs steering; item by item, the planner's own choice is the right one.
  const raw = consensus && drive === "ratings" ? await withStreamingPlan(db, (tx) => tx.execute(pageSql)).then((r) => rowsOf<RawRow>(r)) : rowsOf<RawRow>(await db.execute(pageSql));
  const more = raw.length > q.limit;
  const page = more ? raw.slice(0, q.limit) : raw;
  const cons = await consensusOf(db, c, page.map((r) => Number(r.id)));
  const rows = page.map((r): BrowseRow => {
    const k = cons.get(Number(r.id));
    const values = rubricValues(c.rubric);
    const consensus = k ? (values[k.code] ?? null) : null;
    return {
      id: Number(r.id),
      externalId: r.external_id,
      group: r.group,
      inputPreview: r.input_preview,
      tailScore: r.tail_score === null ? null : Number(r.tail_score),
      inclusionProb: r.inclusion_prob === null ? null : Number(r.inclusion_prob),
      routeReason: r.route_reason,
      routed: r.routed,
      gold: r.gold,
      judgeScore: r.judge_score === null ? null : (JSON.parse(r.judge_score) as number | string),
      judgeConfidence: r.judge_confidence === null ? null : Number(r.judge_confidence),
      judgmentCount: Number(r.judgment_count),
      version: Number(r.version),
      updatedAt: new Date(r.updated_at).toISOString(),
      openFlags: Number(r.open_flags),
      flags: Number(r.flags),
      consensus,
      ratings: k?.m ?? 0,
      agree: consensus === null || k?.judge === null || k?.judge === undefined ? null : k.judge === k.code,
    };
  });
  const last = page.at(-1);
  const numericSort = q.sort === "tail" || q.sort === "confidence" || q.sort === "judgments";
  const v = !last || q.sort === "id" ? null : numericSort ? Number(last.sort_v) : String(last.sort_v);
  return { rows, next: more && last ? { v, id: Number(last.id) } : null };
}

/** Consensus (scale index), counted ratings and the judge's scale index of some items' current versions. */
export async function consensusOf(db: Db, c: BrowseCampaign, ids: number[]): Promise<Map<number, { code: number; m: number; judge: number | null }>> {
  const out = new Map<number, { code: number; m: number; judge: number | null }>();
  if (ids.length === 0) return out;
  const list = sql.join(ids.map((id) => sql`${id}`), sql`, `);
  const rows = rowsOf<{ item_id: number | string; code: number | null; m: number; judge: number | null }>(
    await db.execute(sql`
      select cons.item_id, cons.code, cons.m, ${scaleIndexSql(c.rubric, sql`i.judge_score`, true)} as judge
      from (${consensusSql(c, sql`j.item_id in (${list})`)}) cons
      join items i on i.id = cons.item_id and i.version = cons.item_version`),
  );
  for (const r of rows) if (r.code !== null) out.set(Number(r.item_id), { code: Number(r.code), m: Number(r.m), judge: r.judge === null ? null : Number(r.judge) });
  return out;
}

/**
 * The consensus facets aggregate ratings per (item, version) in item order. Planned freely, PostgreSQL hashes every
 * rating of the campaign before the first row (it cannot tell how many items pass the consensus test); in item order
 * from judgments_campaign_item_idx the aggregate streams, and a page sorted by id stops once it is full.
 */
async function withStreamingPlan<T>(db: Db, run: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_hashagg = off`);
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    return run(tx as unknown as Db);
  });
}

/** How many items match, counted up to `cap` (beyond it: "more than cap"); null for the consensus facets, which would read every rating. */
export async function browseCount(db: Db, c: BrowseCampaign, q: BrowseQuery, cap: number): Promise<{ n: number; capped: boolean } | null> {
  if (usesConsensus(q.filter)) return null;
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from (select 1 ${filteredFrom(c, { ...q, cursor: null }, null)} limit ${cap + 1}) s`),
  );
  const n = Number(row?.n ?? 0);
  return n > cap ? { n: cap, capped: true } : { n, capped: false };
}

/** Metadata keys of a campaign's first items (a sample: keys are usually the same on every row), most frequent first. */
export async function metadataKeys(db: Db, campaignId: string, sample = 500): Promise<{ key: string; n: number }[]> {
  const rows = rowsOf<{ key: string; n: number }>(
    await db.execute(sql`
      select k as key, count(*)::int as n
      from (select metadata from items where campaign_id = ${campaignId} order by id limit ${sample}) s, jsonb_object_keys(s.metadata) k
      group by k order by count(*) desc, k limit 50`),
  );
  return rows.map((r) => ({ key: r.key, n: Number(r.n) }));
}

/** Distinct values of one metadata key in the same sample (for the value list of the filter form). */
export async function metadataValues(db: Db, campaignId: string, key: string, sample = 500): Promise<string[]> {
  const rows = rowsOf<{ v: string }>(
    await db.execute(sql`
      select distinct s.metadata ->> ${key} as v
      from (select metadata from items where campaign_id = ${campaignId} order by id limit ${sample}) s
      where jsonb_typeof(s.metadata -> ${key}) in ('string', 'number', 'boolean')
      order by 1 limit 100`),
  );
  return rows.map((r) => r.v);
}

/**
 * The distinct values of the stratification key (the group column), in order: one probe of items_browse_group_idx
 * per value (a loose index scan), so a campaign of a million items with 40 groups costs 40 probes, not a scan.
 */
export async function groupValues(db: Db, campaignId: string, max = 300): Promise<string[]> {
  const rows = rowsOf<{ g: string }>(
    await db.execute(sql`
      with recursive g as (
        (select i."group" as g from items i where i.campaign_id = ${campaignId} and i."group" is not null order by i."group" limit 1)
        union all
        select (select i."group" from items i where i.campaign_id = ${campaignId} and i."group" > g.g order by i."group" limit 1)
        from g where g.g is not null
      )
      select g from g where g is not null limit ${max}`),
  );
  return rows.map((r) => r.g);
}
