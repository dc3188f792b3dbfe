import { and, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { campaignInvites, campaignMembers, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { MemberRole } from "@/lib/auth/permissions";

/** Turn pending invitations for this email into memberships (at sign-up or first OAuth sign-in). */
export async function claimInvites(tx: Db | Tx, userId: string, email: string): Promise<number> {
  const pending = await tx.select().from(campaignInvites).where(eq(campaignInvites.email, email));
  for (const inv of pending) {
    await tx
      .insert(campaignMembers)
      .values({ campaignId: inv.campaignId, userId, role: inv.role, invitedBy: inv.invitedBy })
      .onConflictDoNothing();
    await recordAudit(tx, { actorId: userId, action: "membership.invite_claim", targetType: "user", targetId: userId, campaignId: inv.campaignId, details: { role: inv.role } });
  }
  if (pending.length) await tx.delete(campaignInvites).where(eq(campaignInvites.email, email));
  return pending.length;
}

/**
 * Invite someone to a campaign with a role. An existing account becomes a member at once; an unknown email
 * gets a pending invite that is claimed when that person signs up. The owner's own role cannot be changed here.
 */
export async function inviteMember(
  db: Db,
  input: { campaignId: string; ownerId: string; actorId: string; email: string; role: MemberRole; ip?: string | null },
): Promise<{ status: "added" | "updated" | "pending" }> {
  const email = input.email.trim().toLowerCase();
  if (input.role === "owner") throw new AppError("bad_request", "A campaign has one owner; invite as researcher instead", { field: "role" });
  return db.transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id }).from(users).where(and(eq(users.email, email), sql`${users.deletedAt} is null`));
    if (user?.id === input.ownerId) throw new AppError("conflict", "That person owns this campaign");
    let status: "added" | "updated" | "pending";
    if (user) {
      const [prev] = await tx
        .select({ role: campaignMembers.role })
        .from(campaignMembers)
        .where(and(eq(campaignMembers.campaignId, input.campaignId), eq(campaignMembers.userId, user.id)));
      await tx
        .insert(campaignMembers)
        .values({ campaignId: input.campaignId, userId: user.id, role: input.role, invitedBy: input.actorId })
        .onConflictDoUpdate({ target: [campaignMembers.campaignId, campaignMembers.userId], set: { role: input.role } });
      status = prev ? "updated" : "added";
    } else {
      await tx
        .insert(campaignInvites)
        .values({ campaignId: input.campaignId, email, role: input.role, invitedBy: input.actorId })
        .onConflictDoUpdate({ target: [campaignInvites.campaignId, campaignInvites.email], set: { role: input.role } });
      status = "pending";
    }
    await recordAudit(tx, {
      actorId: input.actorId,
      action: status === "pending" ? "membership.invite" : status === "added" ? "membership.add" : "membership.role_change",
      targetType: user ? "user" : "email",
      targetId: user?.id ?? email,
      campaignId: input.campaignId,
      ip: input.ip,
      details: { role: input.role },
    });
    return { status };
  });
}

export async function removeMember(db: Db, input: { campaignId: string; ownerId: string; actorId: string; userId: string; ip?: string | null }) {
  if (input.userId === input.ownerId) throw new AppError("conflict", "The owner cannot be removed");
  await db.transaction(async (tx) => {
    const removed = await tx
      .delete(campaignMembers)
      .where(and(eq(campaignMembers.campaignId, input.campaignId), eq(campaignMembers.userId, input.userId)))
      .returning({ role: campaignMembers.role });
    if (removed.length === 0) throw new AppError("not_found", "No such member");
    await recordAudit(tx, { actorId: input.actorId, action: "membership.remove", targetType: "user", targetId: input.userId, campaignId: input.campaignId, ip: input.ip, details: { role: removed[0]!.role } });
  });
}

export async function cancelInvite(db: Db, input: { campaignId: string; actorId: string; email: string }) {
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(campaignInvites)
      .where(and(eq(campaignInvites.campaignId, input.campaignId), eq(campaignInvites.email, input.email)))
      .returning();
    if (gone.length === 0) throw new AppError("not_found", "No such invitation");
    await recordAudit(tx, { actorId: input.actorId, action: "membership.invite_cancel", targetType: "email", targetId: input.email, campaignId: input.campaignId });
  });
}
