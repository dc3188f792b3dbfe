import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { campaigns } from "@/db/schema";
import type { Actor, Permission } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { loadCampaign } from "./access";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** API paths name a campaign by id (or slug, for convenience); the check is loadCampaign's. */
export async function loadCampaignByRef(actor: Actor, ref: string, permission: Permission) {
  let slug = ref;
  if (UUID.test(ref)) {
    const db = await getDb();
    const [row] = await db.select({ slug: campaigns.slug }).from(campaigns).where(eq(campaigns.id, ref));
    if (!row) throw new AppError("not_found", "Campaign not found");
    slug = row.slug;
  }
  return loadCampaign(actor, slug, permission);
}
