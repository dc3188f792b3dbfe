import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { campaignInvites, campaignMembers, users } from "@/db/schema";

export async function listMembers(db: Db, campaignId: string) {
  const members = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: campaignMembers.role, languages: users.languages, joinedAt: campaignMembers.createdAt })
    .from(campaignMembers)
    .innerJoin(users, eq(users.id, campaignMembers.userId))
    .where(eq(campaignMembers.campaignId, campaignId))
    .orderBy(asc(campaignMembers.role), asc(users.name));
  const invites = await db
    .select({ email: campaignInvites.email, role: campaignInvites.role, invitedAt: campaignInvites.createdAt })
    .from(campaignInvites)
    .where(eq(campaignInvites.campaignId, campaignId))
    .orderBy(asc(campaignInvites.email));
  return { members, invites };
}
