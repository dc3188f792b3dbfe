import type { Metadata } from "next";
import { getDb } from "@/db";
import { findCampaignBySlug } from "@/db/queries/campaigns";
import { RefusalView } from "@/components/auth/access-denied";
import { requestPath } from "@/components/auth/deny";
import { getCurrentUser } from "@/lib/auth/session";
import { forbiddenText, type Asker } from "@/lib/auth/refusal-text";

export const metadata: Metadata = { title: "No access" };

/** The 403 page (forbidden() from components/auth/deny.ts): which role the page needs, in words that fit the asker. */
export default async function Forbidden() {
  const [path, user] = await Promise.all([requestPath(), getCurrentUser()]);
  let asker: Asker | null = user ? { role: user.role, memberRole: null, isOwner: false } : null;
  const slug = path ? /^\/campaigns\/([^/?#]+)/.exec(path)?.[1] : undefined;
  if (user && slug && slug !== "new") {
    const row = await findCampaignBySlug(await getDb(), decodeURIComponent(slug), user.id).catch(() => null);
    if (row) asker = { role: user.role, memberRole: row.memberRole, isOwner: row.campaign.ownerId === user.id, campaignStatus: row.campaign.status };
  }
  const { need, advice } = forbiddenText(path, asker);
  return <RefusalView status={403} title="You do not have access to this page" text={`This page is for ${need}.`} extra={advice} />;
}
