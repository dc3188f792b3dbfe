import { and, desc, eq, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client";
import { campaignMembers, campaigns, items, judgments } from "../schema";

export type MyCampaignRow = {
  id: string;
  slug: string;
  name: string;
  description: string;
  guidelines: string;
  status: "draft" | "active" | "paused" | "closed";
  visibility: "public" | "invite";
  memberRole: "owner" | "researcher" | "annotator" | "auditor" | null;
  rated: number;
};

/**
 * "My campaigns": the ones this person annotates (joined or invited) and the open public ones they could
 * join, with their own rating count. Other people's ratings and judge figures are not read.
 */
export async function listMyCampaigns(db: Db, userId: string): Promise<MyCampaignRow[]> {
  const rows = rowsOf<{ id: string; slug: string; name: string; description: string; guidelines: string; status: MyCampaignRow["status"]; visibility: MyCampaignRow["visibility"]; member_role: MyCampaignRow["memberRole"]; rated: number }>(
    await db.execute(sql`
      select c.id, c.slug, c.name, c.description, c.guidelines, c.status::text as status, c.visibility::text as visibility,
             m.role::text as member_role,
             (select count(*)::int from ${judgments} j where j.campaign_id = c.id and j.annotator_id = ${userId}) as rated
      from ${campaigns} c
      left join ${campaignMembers} m on m.campaign_id = c.id and m.user_id = ${userId}
      where m.role = 'annotator' or (m.role is null and c.visibility = 'public' and c.status = 'active')
      order by (m.role is null), case c.status when 'active' then 0 when 'paused' then 1 else 2 end, c.name
      limit 200`),
  );
  return rows.map((r) => ({ ...r, memberRole: r.member_role }));
}

export type MyJudgmentRow = {
  id: number;
  itemId: number;
  externalId: string;
  input: string;
  value: number | string;
  rationale: string | null;
  editCount: number;
  createdAt: Date;
  updatedAt: Date;
};

/** This person's ratings in a campaign, newest first (item input only; no judge fields, no one else's ratings). */
export async function listMyJudgments(db: Db, campaignId: string, annotatorId: string, limit: number, offset: number) {
  const rows = await db
    .select({
      id: judgments.id,
      itemId: judgments.itemId,
      externalId: items.externalId,
      input: sql<string>`left(${items.input}, 300)`,
      value: judgments.value,
      rationale: judgments.rationale,
      editCount: judgments.editCount,
      createdAt: judgments.createdAt,
      updatedAt: judgments.updatedAt,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(judgments)
    .innerJoin(items, eq(items.id, judgments.itemId))
    .where(and(eq(judgments.campaignId, campaignId), eq(judgments.annotatorId, annotatorId)))
    .orderBy(desc(judgments.createdAt), desc(judgments.id))
    .limit(limit)
    .offset(offset);
  return { rows: rows.map(({ total: _t, ...r }) => r as MyJudgmentRow), total: rows[0]?.total ?? 0 };
}

export async function countMyJudgments(db: Db, campaignId: string, annotatorId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(judgments)
    .where(and(eq(judgments.campaignId, campaignId), eq(judgments.annotatorId, annotatorId)));
  return r?.n ?? 0;
}
