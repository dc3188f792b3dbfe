import { and, asc, eq, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { targetSql } from "./adaptive-k";
import { campaignMembers, campaigns, items, judgments } from "../schema";

export type CampaignListRow = {
  id: string;
  slug: string;
  name: string;
  description: string;
  status: "draft" | "active" | "paused" | "closed";
  visibility: "public" | "invite";
  k: number;
  memberRole: "owner" | "researcher" | "annotator" | "auditor" | null;
  itemCount: number;
  routedCount: number;
  doneCount: number;
};

/**
 * Campaigns a person can see: public non-draft ones, ones they belong to, or all (`all`, for admins and
 * global auditors). Counts come from one grouped pass over items.
 */
export async function listCampaigns(
  db: Db,
  opts: { userId: string | null; all: boolean; limit: number; offset: number },
): Promise<{ rows: CampaignListRow[]; total: number }> {
  const member = db
    .select({ campaignId: campaignMembers.campaignId, role: campaignMembers.role })
    .from(campaignMembers)
    .where(eq(campaignMembers.userId, opts.userId ?? "00000000-0000-0000-0000-000000000000"))
    .as("member");
  const visible = opts.all
    ? sql`true`
    : or(and(eq(campaigns.visibility, "public"), ne(campaigns.status, "draft")), sql`${member.role} is not null`);
  const counts = db
    .select({
      campaignId: items.campaignId,
      itemCount: sql<number>`count(*)::int`.as("item_count"),
      routedCount: sql<number>`count(*) filter (where ${items.routed})::int`.as("routed_count"),
    })
    .from(items)
    .groupBy(items.campaignId)
    .as("counts");
  const rows = await db
    .select({
      id: campaigns.id,
      slug: campaigns.slug,
      name: campaigns.name,
      description: campaigns.description,
      status: campaigns.status,
      visibility: campaigns.visibility,
      k: campaigns.k,
      memberRole: member.role,
      itemCount: sql<number>`coalesce(${counts.itemCount}, 0)`,
      routedCount: sql<number>`coalesce(${counts.routedCount}, 0)`,
      // Done: the item has its target (k; with adaptive k, k_min agreeing ratings or k — db/queries/adaptive-k.ts).
      doneCount: sql<number>`(select count(*)::int from ${items} i where i.campaign_id = ${campaigns.id} and i.routed and i.judgment_count >= ${targetSql(sql`i.k_extended`, sql`${campaigns.k}`, sql`${campaigns.kMin}`)})`,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(campaigns)
    .leftJoin(member, eq(member.campaignId, campaigns.id))
    .leftJoin(counts, eq(counts.campaignId, campaigns.id))
    .where(visible)
    .orderBy(sql`case ${campaigns.status} when 'active' then 0 when 'paused' then 1 when 'draft' then 2 else 3 end`, asc(campaigns.name))
    .limit(opts.limit)
    .offset(opts.offset);
  const total = rows[0]?.total ?? 0;
  return { rows: rows.map(({ total: _t, ...r }) => r), total };
}

/** A campaign with the given person's membership role (null when they are not a member). */
async function findCampaign(db: Db, where: SQL, userId: string | null) {
  const [row] = await db
    .select({ campaign: campaigns, memberRole: campaignMembers.role })
    .from(campaigns)
    .leftJoin(
      campaignMembers,
      and(eq(campaignMembers.campaignId, campaigns.id), eq(campaignMembers.userId, userId ?? "00000000-0000-0000-0000-000000000000")),
    )
    .where(where);
  return row ?? null;
}

export const findCampaignBySlug = (db: Db, slug: string, userId: string | null) => findCampaign(db, eq(campaigns.slug, slug), userId);
export const findCampaignById = (db: Db, id: string, userId: string | null) => findCampaign(db, eq(campaigns.id, id), userId);

export type CampaignProgress = {
  items: number;
  routed: number;
  fullyJudged: number;
  judgments: number;
  byReason: { reason: string; n: number }[];
};

/**
 * `fullyJudged`: routed items that have their target — k, or with adaptive k (kMin set) kMin agreeing ratings or k.
 * Pass the campaign (k and kMin); a bare number is a fixed k.
 */
export async function campaignProgress(db: Db, campaignId: string, target: number | { k: number; kMin: number | null }): Promise<CampaignProgress> {
  const c = typeof target === "number" ? { k: target, kMin: null } : target;
  const itemTarget = targetSql(sql`${items.kExtended}`, sql`${c.k}::int`, sql`${c.kMin}::int`);
  const [row] = await db
    .select({
      items: sql<number>`count(*)::int`,
      routed: sql<number>`count(*) filter (where ${items.routed})::int`,
      fullyJudged: sql<number>`count(*) filter (where ${items.routed} and ${items.judgmentCount} >= ${itemTarget})::int`,
      judgments: sql<number>`coalesce(sum(${items.judgmentCount}), 0)::int`,
    })
    .from(items)
    .where(eq(items.campaignId, campaignId));
  const byReason = await db
    .select({ reason: sql<string>`${items.routeReason}::text`, n: sql<number>`count(*)::int` })
    .from(items)
    .where(and(eq(items.campaignId, campaignId), eq(items.routed, true)))
    .groupBy(items.routeReason);
  return { items: row?.items ?? 0, routed: row?.routed ?? 0, fullyJudged: row?.fullyJudged ?? 0, judgments: row?.judgments ?? 0, byReason };
}

export type GroupRow = { group: string | null; items: number; routed: number; judged: number; tail: number | null };

/** Per-group coverage (no judge figures: safe to show to anyone who may view the campaign). */
export async function groupCoverage(db: Db, campaignId: string): Promise<GroupRow[]> {
  return db
    .select({
      group: items.group,
      items: sql<number>`count(*)::int`,
      routed: sql<number>`count(*) filter (where ${items.routed})::int`,
      judged: sql<number>`count(*) filter (where ${items.judgmentCount} > 0)::int`,
      tail: sql<number | null>`avg(${items.tailScore})::float8`,
    })
    .from(items)
    .where(eq(items.campaignId, campaignId))
    .groupBy(items.group)
    .orderBy(sql`count(*) desc`, asc(items.group));
}

export async function countJudgments(db: Db, campaignIds: string[]): Promise<number> {
  if (campaignIds.length === 0) return 0;
  const [r] = await db.select({ n: sql<number>`count(*)::int` }).from(judgments).where(inArray(judgments.campaignId, campaignIds));
  return r?.n ?? 0;
}
