import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db, type Tx } from "../client";

/**
 * Adaptive k in SQL (lib/assign/adaptive-k.ts holds the same rule in TypeScript, with its tests).
 *
 * An item's target — the number of ratings of its current version it collects — is k (k_max) once
 * `items.k_extended`, else the campaign's k_min when set, else k. `items.k_reached` is `judgment_count >= target`,
 * and it is what takes an item out of items_assign_idx. Every writer of judgment_count keeps both flags:
 * the submit statement (db/queries/judging.ts) decides k_extended when the k_min-th rating arrives, under the
 * item row lock; refreshItemTargets below recomputes both from the stored judgments after a change of k, k_min or
 * agree distance, after imported ratings, and for the demo seed; a re-import that changes an item's content starts
 * its new version at 0 with k_extended = false (db/queries/ingest.ts).
 */

/** `target` for an item row alias `i`, with the campaign's k and k_min as SQL (columns or parameters). */
export const targetSql = (extended: SQL, k: SQL, kMin: SQL) => sql`(case when ${extended} then ${k} else coalesce(${kMin}, ${k}) end)`;

/**
 * Whether the ratings in `values` (a subquery with one jsonb column `value`) agree: on an ordinal scale, all numeric
 * and max − min ≤ distance; otherwise all equal. One row (or none) always agrees.
 */
export const agreeSql = (values: SQL, ordinal: SQL, distance: SQL) => sql`(
  select case when ${ordinal} then count(f.num) = count(*) and coalesce(max(f.num) - min(f.num) <= ${distance}, true)
              else count(distinct f.value) <= 1 end
  from (select v.value, case when jsonb_typeof(v.value) = 'number' then (v.value #>> '{}')::float8 end as num from (${values}) v) f)`;

/**
 * Recompute k_extended and k_reached (and, with `recount`, judgment_count) of a campaign's items — all of them, or
 * those with the given external ids — from the judgments of each item's current version and the campaign's stored
 * k, k_min and agree distance. An item is extended when adaptive k is on (k_min < k), it has at least k_min ratings
 * and its first k_min (in the order they were stored) do not agree: the same decision the submit statement makes
 * when the k_min-th rating arrives. Writes only rows that change. Run it in the transaction that changed the
 * inputs (the settings or the judgments) so nobody sees a campaign whose flags disagree with its settings.
 */
export async function refreshItemTargets(db: Db | Tx, campaignId: string, opts: { externalIds?: string[]; recount?: boolean } = {}): Promise<number> {
  const only = opts.externalIds ? sql`and i.external_id in (select json_array_elements_text(${JSON.stringify(opts.externalIds)}::json))` : sql``;
  const n = opts.recount
    ? sql`(select count(*)::int from judgments j where j.item_id = i.id and j.item_version = i.version)`
    : sql`i.judgment_count`;
  const firstKMin = sql`select j.value from judgments j where j.item_id = t.id and j.item_version = t.version order by j.id limit c.k_min`;
  const result = await db.execute(sql`
    with c as (
      select k, k_min, agree_distance, (rubric->>'type') = 'likert' as ordinal from campaigns where id = ${campaignId}
    ),
    t as (
      select i.id, i.version, (i.gold_answer is not null) as is_gold, ${n} as n
      from items i where i.campaign_id = ${campaignId} ${only}
    ),
    d as (
      select t.id, t.n,
             case when c.k_min is not null and c.k_min < c.k and not t.is_gold and t.n >= c.k_min
                  then not ${agreeSql(firstKMin, sql`c.ordinal`, sql`c.agree_distance`)}
                  else false end as ext
      from t, c
    ),
    w as (
      update items i set judgment_count = d.n, k_extended = d.ext, k_reached = d.n >= ${targetSql(sql`d.ext`, sql`c.k`, sql`c.k_min`)}
      from d, c
      where i.id = d.id
        and (i.judgment_count, i.k_extended, i.k_reached) is distinct from (d.n, d.ext, d.n >= ${targetSql(sql`d.ext`, sql`c.k`, sql`c.k_min`)})
      returning 1
    )
    select count(*)::int as n from w`);
  return rowsOf<{ n: number }>(result)[0]?.n ?? 0;
}
