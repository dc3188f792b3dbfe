import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client";

export type ContributorStats = {
  userId: string;
  name: string;
  email: string;
  excluded: boolean;
  judgments: number;
  skipped: number;
  medianMs: number | null;
  goldAnswered: number;
  goldCorrect: number;
  lastAt: string | null;
};

/**
 * Researcher view of the work: per contributor (annotators and anyone with ratings), counts, median time per
 * item, gold accuracy (a judgment on an item whose gold_answer equals its value is correct).
 */
export async function contributorStats(db: Db, campaignId: string): Promise<ContributorStats[]> {
  const rows = rowsOf<{ user_id: string; name: string; email: string; excluded: boolean | null; judgments: number; skipped: number; median_ms: number | null; gold_answered: number; gold_correct: number; last_at: string | Date | null }>(
    await db.execute(sql`
      with j as (
        select j.annotator_id, count(*)::int as judgments,
               percentile_cont(0.5) within group (order by j.time_taken_ms)::float8 as median_ms,
               -- Gold answers on the item's current version only: an earlier version may have had another gold answer.
               count(*) filter (where i.gold_answer is not null and j.item_version = i.version)::int as gold_answered,
               count(*) filter (where i.gold_answer is not null and j.item_version = i.version and i.gold_answer = j.value)::int as gold_correct,
               max(j.created_at) as last_at
        from judgments j join items i on i.id = j.item_id
        where j.campaign_id = ${campaignId} and j.annotator_id is not null
        group by j.annotator_id
      ),
      s as (
        select annotator_id, count(*)::int as skipped from assignments
        where campaign_id = ${campaignId} and status = 'skipped' group by annotator_id
      ),
      people as (
        select user_id from campaign_members where campaign_id = ${campaignId} and role = 'annotator'
        union select annotator_id from j
      )
      select u.id as user_id, u.name, u.email, m.excluded_from_reports as excluded,
             coalesce(j.judgments, 0) as judgments, coalesce(s.skipped, 0) as skipped, j.median_ms,
             coalesce(j.gold_answered, 0) as gold_answered, coalesce(j.gold_correct, 0) as gold_correct, j.last_at
      from people p
      join users u on u.id = p.user_id
      left join campaign_members m on m.campaign_id = ${campaignId} and m.user_id = p.user_id
      left join j on j.annotator_id = p.user_id
      left join s on s.annotator_id = p.user_id
      order by coalesce(j.judgments, 0) desc, u.name
      limit 500`),
  );
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    email: r.email,
    excluded: r.excluded ?? false,
    judgments: r.judgments,
    skipped: r.skipped,
    medianMs: r.median_ms,
    goldAnswered: r.gold_answered,
    goldCorrect: r.gold_correct,
    lastAt: r.last_at ? new Date(r.last_at).toISOString() : null,
  }));
}
