import { forgetImageHosts } from "./image-hosts";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { campaignMembers, campaigns, items, judgments, type Campaign } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { refreshItemTargets } from "@/db/queries/adaptive-k";
import {
  AGREE_DISTANCE_LIKERT_ONLY,
  canTransition,
  consensusMismatch,
  kMinAboveK,
  routingPolicyPoolProblems,
  samePolicy,
  slugify,
  stableJson,
  type CampaignCreateInput,
  type CampaignUpdateInput,
} from "@/lib/validation/campaign-input";

type Who = { actorId: string; ip?: string | null };

/** Create a draft campaign owned by the actor (the caller has checked `campaign:create`). */
export async function createCampaign(db: Db, input: CampaignCreateInput, who: Who): Promise<Campaign> {
  const mismatch = consensusMismatch(input.consensus, input.rubric);
  if (mismatch) throw new AppError("bad_request", mismatch, { field: "consensus" });
  const base = input.slug ?? slugify(input.name);
  return db.transaction(async (tx) => {
    const slug = await freeSlug(tx, base, input.slug !== undefined);
    const [row] = await tx
      .insert(campaigns)
      .values({
        slug,
        name: input.name,
        description: input.description,
        guidelines: input.guidelines,
        rubric: input.rubric,
        k: input.k,
        kMin: input.kMin,
        agreeDistance: input.agreeDistance,
        stratificationKey: input.stratificationKey ?? null,
        // Group rarity needs a stratification key; without one, text rarity works on any item.
        tailMethod: input.tailMethod ?? (input.stratificationKey ? "group" : "text"),
        routingPolicy: input.routingPolicy ?? defaultRoutingPolicy,
        visibility: input.visibility,
        goldRate: input.goldRate,
        leaseMinutes: input.leaseMinutes,
        consensus: input.consensus,
        allowedImageHosts: input.allowedImageHosts,
        status: "draft",
        ownerId: who.actorId,
      })
      .returning();
    await tx.insert(campaignMembers).values({ campaignId: row!.id, userId: who.actorId, role: "owner" });
    await recordAudit(tx, {
      actorId: who.actorId,
      action: "campaign.create",
      targetType: "campaign",
      targetId: row!.id,
      campaignId: row!.id,
      ip: who.ip,
      details: {
        slug,
        name: input.name,
        rubric: input.rubric,
        routingPolicy: row!.routingPolicy,
        k: input.k,
        kMin: row!.kMin,
        agreeDistance: row!.agreeDistance,
        goldRate: row!.goldRate,
        leaseMinutes: row!.leaseMinutes,
        consensus: row!.consensus,
        allowedImageHosts: row!.allowedImageHosts,
      },
    });
    return row!;
  });
}

async function freeSlug(db: Db | Tx, base: string, explicit: boolean): Promise<string> {
  const taken = async (s: string) => (await db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.slug, s))).length > 0;
  if (!(await taken(base))) return base;
  if (explicit) throw new AppError("conflict", `The address “${base}” is taken`, { field: "slug" });
  for (let i = 2; i < 1000; i++) if (!(await taken(`${base}-${i}`))) return `${base}-${i}`;
  throw new AppError("conflict", "Could not find a free address; choose a slug");
}

export type UpdateResult = { campaign: Campaign; policyChanged: boolean; statusChanged: boolean };

/**
 * Edit a campaign (the caller has checked `campaign:edit`). Rules: closed campaigns are read-only; status moves
 * only along draft → active ⇄ paused → closed; activating needs items; the rubric and k are locked once any
 * judgment exists (earlier ratings would be on another scale); the consensus method must fit the rubric, the
 * stored one as well as a new one (a mean needs a Likert scale). Adaptive k: k_min ≤ k and an agree distance only
 * on a Likert scale, both against the values as they will be stored; a change of k, k_min or agree distance
 * recomputes every item's k_extended / k_reached (db/queries/adaptive-k.ts) in the same transaction. A routing policy
 * change must fit the campaign's current pool of routable items (routingPolicyPoolProblems). Guidelines edits bump
 * the guidelines version, policy edits the policy version (the next routing run uses it; earlier runs keep the
 * policy they recorded); each kind of change is its own audit event. Every checked rule throws before anything is
 * written; the field checks throw one 400 naming every failing field (`details.fields`).
 */
export async function updateCampaign(db: Db, campaignId: string, patch: CampaignUpdateInput, who: Who): Promise<UpdateResult> {
  const result = await db.transaction(async (tx): Promise<UpdateResult> => {
    const [current] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId)).for("update");
    if (!current) throw new AppError("not_found", "Campaign not found");
    if (current.status === "closed") throw new AppError("conflict", "This campaign is closed and can no longer be changed");
    const changes: Partial<typeof campaigns.$inferInsert> = {};
    // jsonb hands objects back with its own key order: compare canonically, or an unchanged rubric looks changed.
    const diff = (a: unknown, b: unknown) => stableJson(a) !== stableJson(b);

    const rubricChanges = patch.rubric !== undefined && diff(patch.rubric, current.rubric);
    const kChanges = patch.k !== undefined && patch.k !== current.k;
    if (rubricChanges) {
      const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(judgments).where(eq(judgments.campaignId, campaignId))) as [{ n: number }];
      if (n > 0) throw new AppError("conflict", `The rubric is locked: ${n} judgment(s) already use it`, { field: "rubric" });
      changes.rubric = patch.rubric;
    }
    if (kChanges) changes.k = patch.k;
    // The pair as it will be stored: a new rubric must suit the kept consensus, a new consensus the kept rubric.
    const mismatch = consensusMismatch(patch.consensus === undefined ? current.consensus : patch.consensus, patch.rubric ?? current.rubric);
    if (mismatch) {
      const hint = patch.consensus === undefined ? " Choose another consensus together with the new rubric." : "";
      throw new AppError("bad_request", `${mismatch}${hint}`, { field: "consensus" });
    }
    // Field checks against the values as they will be stored; all failures in one 400.
    const fields: Record<string, string> = {};
    const nextK = patch.k ?? current.k;
    const nextKMin = patch.kMin !== undefined ? patch.kMin : current.kMin;
    const nextRubric = patch.rubric ?? current.rubric;
    if (nextKMin !== null && nextKMin > nextK) fields.kMin = kMinAboveK(nextKMin, nextK);
    if (patch.agreeDistance !== undefined && patch.agreeDistance > 0 && nextRubric.type !== "likert") fields.agreeDistance = AGREE_DISTANCE_LIKERT_ONLY;
    const policyChanged = patch.routingPolicy !== undefined && !samePolicy(patch.routingPolicy, current.routingPolicy);
    if (policyChanged) {
      const [{ n: pool }] = (await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(items)
        .where(and(eq(items.campaignId, campaignId), isNull(items.goldAnswer)))) as [{ n: number }];
      Object.assign(fields, routingPolicyPoolProblems(patch.routingPolicy!, pool));
    }
    const failed = Object.keys(fields);
    if (failed.length > 0) {
      throw new AppError("bad_request", failed.map((f) => `${f}: ${fields[f]}`).join(" "), { field: failed[0], fields });
    }
    for (const key of ["name", "description", "stratificationKey", "tailMethod", "visibility", "goldRate", "leaseMinutes", "consensus", "kMin", "agreeDistance"] as const) {
      if (patch[key] !== undefined && patch[key] !== current[key]) (changes as Record<string, unknown>)[key] = patch[key];
    }
    if (patch.allowedImageHosts !== undefined && diff(patch.allowedImageHosts, current.allowedImageHosts)) changes.allowedImageHosts = patch.allowedImageHosts;
    if (patch.guidelines !== undefined && patch.guidelines !== current.guidelines) {
      changes.guidelines = patch.guidelines;
      changes.guidelinesVersion = current.guidelinesVersion + 1;
    }
    // A Likert rubric replaced by another scale: its agree distance no longer means anything.
    if (rubricChanges && nextRubric.type !== "likert" && patch.agreeDistance === undefined && current.agreeDistance !== 0) changes.agreeDistance = 0;
    if (policyChanged) {
      changes.routingPolicy = patch.routingPolicy;
      changes.routingPolicyVersion = current.routingPolicyVersion + 1;
    }
    const statusChanged = patch.status !== undefined && patch.status !== current.status;
    if (statusChanged) {
      if (!canTransition(current.status, patch.status!)) {
        throw new AppError("conflict", `A ${current.status} campaign cannot become ${patch.status}`, { field: "status" });
      }
      if (patch.status === "active") {
        const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(items).where(and(eq(items.campaignId, campaignId), eq(items.routed, true)))) as [{ n: number }];
        if (n === 0) throw new AppError("conflict", "Import and route items before activating the campaign", { field: "status" });
      }
      changes.status = patch.status;
    }
    if (Object.keys(changes).length === 0) return { campaign: current, policyChanged: false, statusChanged: false };

    // updated_at is part of the report cache's watermark (a consensus change must recompute the report): strictly
    // later than the stored value, so two edits within one clock tick still move it.
    const updatedAt = sql<Date>`greatest(now(), ${campaigns.updatedAt} + interval '1 millisecond')`;
    const [updated] = await tx.update(campaigns).set({ ...changes, updatedAt }).where(eq(campaigns.id, campaignId)).returning();
    if ("k" in changes || "kMin" in changes || "agreeDistance" in changes) {
      // Keep items.k_extended and k_reached (the assignment index's filter) true to the new k, k_min, agree distance.
      await refreshItemTargets(tx, campaignId);
    }
    const base = { actorId: who.actorId, targetType: "campaign", targetId: campaignId, campaignId, ip: who.ip };
    if (policyChanged) {
      await recordAudit(tx, { ...base, action: "campaign.policy_change", details: { from: current.routingPolicy, to: patch.routingPolicy, version: changes.routingPolicyVersion } });
    }
    if (statusChanged) {
      await recordAudit(tx, { ...base, action: "campaign.status_change", details: { from: current.status, to: patch.status } });
    }
    const other = Object.keys(changes).filter((k) => !["routingPolicy", "routingPolicyVersion", "status"].includes(k));
    if (other.length > 0) {
      const settings = Object.fromEntries(
        (["k", "kMin", "agreeDistance", "goldRate", "leaseMinutes", "consensus", "allowedImageHosts"] as const).filter((k) => k in changes).map((k) => [k, { from: current[k], to: changes[k] }]),
      );
      await recordAudit(tx, {
        ...base,
        action: "campaign.update",
        details: { fields: other, ...(rubricChanges ? { rubric: { from: current.rubric, to: patch.rubric } } : {}), ...settings },
      });
    }
    return { campaign: updated!, policyChanged, statusChanged };
  });
  // The page CSP of this campaign follows its image hosts at once in this process (lib/campaigns/image-hosts.ts).
  forgetImageHosts(result.campaign.slug);
  return result;
}
