import type { ReactElement } from "react";
import { AccessDenied } from "@/components/auth/access-denied";
import type { Permission } from "@/lib/auth/permissions";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";

type Loaded = Awaited<ReturnType<typeof loadCampaign>>;
export type CampaignGate = ({ denied: null; user: CurrentUser | null } & Loaded) | { denied: ReactElement };

/**
 * The check every campaign page starts with: who is asking, may they do `permission` on this campaign. Refusals
 * (401, 403, 404 from loadCampaign) come back as the page to render instead of an exception.
 */
export async function gateCampaign(slug: string, permission: Permission): Promise<CampaignGate> {
  const user = await getCurrentUser();
  try {
    return { denied: null, user, ...(await loadCampaign(user, slug, permission)) };
  } catch (e) {
    if (e instanceof AppError) return { denied: <AccessDenied error={e} /> };
    throw e;
  }
}
