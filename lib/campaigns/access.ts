import { getDb, type Db } from "@/db";
import { findCampaignById, findCampaignBySlug } from "@/db/queries/campaigns";
import { AppError } from "@/lib/errors";
import { can, type Actor, type CampaignAccess, type Permission } from "@/lib/auth/permissions";

type Row = NonNullable<Awaited<ReturnType<typeof findCampaignBySlug>>>;

function check(actor: Actor, row: Row | null, permission: Permission) {
  if (!row) throw new AppError("not_found", "Campaign not found");
  const access: CampaignAccess = {
    visibility: row.campaign.visibility,
    status: row.campaign.status,
    ownerId: row.campaign.ownerId,
    memberRole: row.memberRole,
  };
  // A campaign the actor may not even view is "not found" (its existence is not leaked).
  if (!can(actor, "campaign:view", access)) throw new AppError("not_found", "Campaign not found");
  if (!can(actor, permission, access)) {
    throw actor ? new AppError("forbidden", "You do not have access to this") : new AppError("unauthorized", "Sign in to continue");
  }
  return { campaign: row.campaign, memberRole: row.memberRole, access };
}

/** Load a campaign by slug (pages) and check a permission: 404 when invisible, 403 when not allowed, 401 anonymous. */
export async function loadCampaign(actor: Actor, slug: string, permission: Permission = "campaign:view") {
  return check(actor, await findCampaignBySlug(await getDb(), slug, actor?.id ?? null), permission);
}

/** A campaign row read ahead for the session's claimed user (apiRoute's `prefetch`), with what it was read for. */
export type PrefetchedCampaign = { slug: string; userId: string; row: Row | null };

/** apiRoute `prefetch` for routes under /campaigns/[slug]: the campaign and the claimed user's membership. */
export async function prefetchCampaignBySlug(db: Db, claimedUserId: string, rawParams: Record<string, string | string[]>): Promise<PrefetchedCampaign> {
  const slug = typeof rawParams.slug === "string" ? rawParams.slug : "";
  return { slug, userId: claimedUserId, row: await findCampaignBySlug(db, slug, claimedUserId) };
}

/**
 * loadCampaign from a prefetched row when it was read for this actor and this slug (the same checks, one round trip
 * fewer); otherwise a fresh read.
 */
export async function loadCampaignPrefetched(actor: Actor, slug: string, permission: Permission, prefetched: Promise<unknown> | undefined) {
  const p = prefetched ? ((await prefetched) as PrefetchedCampaign) : null;
  if (p && actor && p.userId === actor.id && p.slug === slug) return check(actor, p.row, permission);
  return loadCampaign(actor, slug, permission);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Same, by id (API routes). A malformed id is simply not found. */
export async function loadCampaignById(actor: Actor, id: string, permission: Permission = "campaign:view") {
  if (!UUID.test(id)) throw new AppError("not_found", "Campaign not found");
  return check(actor, await findCampaignById(await getDb(), id, actor?.id ?? null), permission);
}
