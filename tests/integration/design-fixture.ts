import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";

/**
 * For fixtures that write items' routing columns by hand: record them as a routing run's inclusion records, as
 * lib/routing would (imported labels on the current version enter as a census, π = 1, in their own reason).
 * Returns the run id.
 */
export async function recordDesign(db: Db, campaignId: string, seed = "fixture"): Promise<string> {
  const [run] = rowsOf<{ id: string }>(
    await db.execute(sql`insert into routing_runs (campaign_id, seed, policy, policy_version, items_total, items_routed)
      select ${campaignId}, ${seed}, routing_policy, routing_policy_version,
             (select count(*) from items where campaign_id = ${campaignId}), (select count(*) from items where campaign_id = ${campaignId} and routed)
      from campaigns where id = ${campaignId} returning id`),
  );
  await db.execute(sql`
    insert into inclusion_records (run_id, item_id, item_version, "group", tail, judged, route_pi, u, routed, prior_pi, in_sample, pi, reason)
    select ${run!.id}, i.id, i.version, i."group", i.tail_score, i.judge_score is not null, coalesce(i.inclusion_prob, 0), null, i.routed,
           case when p.item_id is not null then 1 end, i.routed or p.item_id is not null,
           case when p.item_id is not null then 1 else coalesce(i.inclusion_prob, 0) end,
           case when p.item_id is not null then 'prior_labels' when i.routed then i.route_reason::text end
    from items i
    left join (select distinct item_id, item_version from judgments where source = 'import') p on p.item_id = i.id and p.item_version = i.version
    where i.campaign_id = ${campaignId} and i.gold_answer is null`);
  return run!.id;
}
