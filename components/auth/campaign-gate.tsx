import type { ReactElement } from "react";
import { deny } from "@/components/auth/deny";
import type { Permission } from "@/lib/auth/permissions";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";

type Loaded = Awaited<ReturnType<typeof loadCampaign>>;
/** `denied` is kept for the pages written as `if (gate.denied) return gate.denied;`: a refusal never returns now. */
export type CampaignGate = ({ denied: null; user: CurrentUser | null } & Loaded) | { denied: ReactElement };

/**
 * The check every campaign page starts with: who is asking, may they do `permission` on this campaign. A refusal
 * is the page's real HTTP answer (components/auth/deny.ts): 404 for an unknown or invisible campaign, 403 for a
 * signed-in person without the right, a redirect to sign-in (and back) for an anonymous visitor.
 */
export async function gateCampaign(slug: string, permission: Permission): Promise<CampaignGate> {
  const user = await getCurrentUser();
  try {
    return { denied: null, user, ...(await loadCampaign(user, slug, permission)) };
  } catch (e) {
    if (e instanceof AppError) return deny(e);
    throw e;
  }
}
