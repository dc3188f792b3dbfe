import { and, desc, eq, sql } from "drizzle-orm";
import { rowsOf, type Db, type Tx } from "../client";
import { campaignMembers, campaigns, itemVersions, items, judgments } from "../schema";

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
  /** The item was re-imported with other content since this rating (judgments.item_version < items.version). */
  superseded: boolean;
  createdAt: Date;
  updatedAt: Date;
};

/**
 * This person's ratings in a campaign, newest first (item input only; no judge fields, no one else's ratings).
 * The input shown is the one the person rated: a superseded version's comes from item_versions.
 */
export async function listMyJudgments(db: Db, campaignId: string, annotatorId: string, limit: number, offset: number) {
  const rows = await db
    .select({
      id: judgments.id,
      itemId: judgments.itemId,
      externalId: items.externalId,
      input: sql<string>`left(coalesce(${itemVersions.input}, ${items.input}), 300)`,
      value: judgments.value,
      rationale: judgments.rationale,
      editCount: judgments.editCount,
      superseded: sql<boolean>`${judgments.itemVersion} < ${items.version}`,
      createdAt: judgments.createdAt,
      updatedAt: judgments.updatedAt,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(judgments)
    .innerJoin(items, eq(items.id, judgments.itemId))
    .leftJoin(itemVersions, and(eq(itemVersions.itemId, judgments.itemId), eq(itemVersions.version, judgments.itemVersion), sql`${judgments.itemVersion} < ${items.version}`))
    .where(and(eq(judgments.campaignId, campaignId), eq(judgments.annotatorId, annotatorId)))
    .orderBy(desc(judgments.createdAt), desc(judgments.id))
    .limit(limit)
    .offset(offset);
  return { rows: rows.map(({ total: _t, ...r }) => r as MyJudgmentRow), total: rows[0]?.total ?? 0 };
}

/**
 * The item version a judgment was made on and the item's current one, for an edit in progress. The item row is
 * share-locked until the caller's transaction ends, so a re-import cannot bump the version between this check
 * and the edit (the import's update waits, then versions the item with the edited rating on the old version).
 */
export async function lockJudgmentVersions(tx: Tx, judgmentId: number): Promise<{ ratedVersion: number; currentVersion: number } | null> {
  const [row] = await tx
    .select({ ratedVersion: judgments.itemVersion, currentVersion: items.version })
    .from(judgments)
    .innerJoin(items, eq(items.id, judgments.itemId))
    .where(eq(judgments.id, judgmentId))
    .for("share", { of: items });
  return row ?? null;
}

export async function countMyJudgments(db: Db, campaignId: string, annotatorId: string): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(judgments)
    .where(and(eq(judgments.campaignId, campaignId), eq(judgments.annotatorId, annotatorId)));
  return r?.n ?? 0;
}

export type ReviewFlagRow = {
  id: number;
  itemId: number;
  externalId: string;
  reason: string;
  note: string | null;
  status: "open" | "resolved" | "dismissed";
  by: string;
  createdAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  /** The researcher's note when closing it (kept in the flag.resolve audit event; flags has no column for it). */
  resolutionNote: string | null;
};

/** The review list: flags on this campaign's items, open ones first, then newest; closed ones say who and when. */
export async function listFlagsForReview(db: Db, campaignId: string, limit: number, offset: number): Promise<{ rows: ReviewFlagRow[]; total: number }> {
  const rows = rowsOf<{
    id: number | string;
    item_id: number | string;
    external_id: string;
    reason: string;
    note: string | null;
    status: ReviewFlagRow["status"];
    by: string;
    created_at: string | Date;
    resolved_by: string | null;
    resolved_at: string | Date | null;
    resolution_note: string | null;
    total: number;
  }>(
    await db.execute(sql`
      with page as (
        select f.*, count(*) over ()::int as total
        from flags f
        where f.campaign_id = ${campaignId}
        order by (f.status = 'open') desc, f.created_at desc, f.id desc
        limit ${limit} offset ${offset}
      )
      select p.id, p.item_id, i.external_id, p.reason::text as reason, p.note, p.status::text as status, u.name as by, p.created_at,
             r.name as resolved_by, p.resolved_at, n.note as resolution_note, p.total
      from page p
      join items i on i.id = p.item_id
      join users u on u.id = p.user_id
      left join users r on r.id = p.resolved_by
      -- The latest closing event of this flag (audit_events_action_idx: flag.resolve events are few).
      left join lateral (
        select a.details->>'note' as note from audit_events a
        where a.action = 'flag.resolve' and a.campaign_id = ${campaignId} and a.target_type = 'flag' and a.target_id = p.id::text
        order by a.id desc limit 1
      ) n on p.status <> 'open'
      order by (p.status = 'open') desc, p.created_at desc, p.id desc`),
  );
  const iso = (d: string | Date | null) => (d === null ? null : new Date(d).toISOString());
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      itemId: Number(r.item_id),
      externalId: r.external_id,
      reason: r.reason,
      note: r.note,
      status: r.status,
      by: r.by,
      createdAt: new Date(r.created_at).toISOString(),
      resolvedBy: r.resolved_by,
      resolvedAt: iso(r.resolved_at),
      resolutionNote: r.resolution_note,
    })),
    total: rows[0]?.total ?? 0,
  };
}

export type GoldItemRow = { itemId: number; externalId: string; goldAnswer: number | string; answers: number; correct: number };
export type GoldAccuracy = { items: number; answers: number; correct: number; rows: GoldItemRow[] };

/**
 * Gold checks of a campaign: its gold items (gold_answer set), contributors' answers on them and the share equal to
 * the gold answer, overall and per item (at most `limit` items, lowest share correct first, unanswered last).
 * Only answers on an item's current version count: one given on content a re-import has since replaced was a
 * check of something else.
 */
export async function goldAccuracy(db: Db, campaignId: string, limit: number): Promise<GoldAccuracy> {
  const rows = rowsOf<{ id: number | string; external_id: string; gold_answer: number | string; answers: number; correct: number; items: number; all_answers: number; all_correct: number }>(
    await db.execute(sql`
      with g as (
        select i.id, i.external_id, i.gold_answer,
               count(j.id)::int as answers,
               count(j.id) filter (where j.value = i.gold_answer)::int as correct
        from items i
        left join judgments j on j.item_id = i.id and j.annotator_id is not null and j.item_version = i.version
        where i.campaign_id = ${campaignId} and i.gold_answer is not null
        group by i.id
      )
      select g.*, count(*) over ()::int as items, (sum(g.answers) over ())::int as all_answers, (sum(g.correct) over ())::int as all_correct
      from g
      order by (g.answers = 0), g.correct::float8 / nullif(g.answers, 0), g.external_id
      limit ${limit}`),
  );
  const first = rows[0];
  return {
    items: first?.items ?? 0,
    answers: first?.all_answers ?? 0,
    correct: first?.all_correct ?? 0,
    rows: rows.map((r) => ({ itemId: Number(r.id), externalId: r.external_id, goldAnswer: r.gold_answer, answers: r.answers, correct: r.correct })),
  };
}
