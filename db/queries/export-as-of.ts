import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client";

/**
 * The time of the last change to what a campaign's export carries (a judgment written or edited, an import, a
 * routing run, a rater excluded or included, the campaign edited): the bundle's "data as of" and its report's
 * time, so the same data gives the same bytes whenever and by whomever it is exported.
 */
export async function exportDataAsOf(db: Db, campaignId: string): Promise<Date> {
  const [row] = rowsOf<{ t: string | Date | null }>(
    await db.execute(sql`select greatest(
        (select max(updated_at) from judgments where campaign_id = ${campaignId}),
        (select max(created_at) from imports where campaign_id = ${campaignId}),
        (select max(created_at) from routing_runs where campaign_id = ${campaignId}),
        (select max(created_at) from audit_events where campaign_id = ${campaignId} and action in ('membership.exclude', 'membership.include')),
        (select updated_at from campaigns where id = ${campaignId})
      ) as t`),
  );
  return row?.t ? new Date(row.t) : new Date(0);
}
