import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { campaigns } from "@/db/schema";

// The image hosts a campaign's pages may load from, for the page CSP that proxy.ts writes before the page renders.
// Cached per slug for 30 s (one small read per campaign, not per request); an edit in this process forgets its
// entry at once. Another instance's edit reaches this one within the TTL; until then an image on a newly listed
// host is blocked by the CSP (never the reverse: a host removed from the list is already dropped by the page's
// markdown, which reads the stored list on every render).
const TTL_MS = 30_000;
const MAX_ENTRIES = 2000;
type Entry = { hosts: string[]; at: number };
const cache: Map<string, Entry> = ((globalThis as { __marginImageHosts?: Map<string, Entry> }).__marginImageHosts ??= new Map());

/** The slug of a campaign page path (`/campaigns/<slug>` and below), or null. */
export function campaignSlugOfPath(pathname: string): string | null {
  const m = /^\/campaigns\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\/|$)/.exec(pathname);
  return m && m[1] !== "new" ? m[1]! : null;
}

/** The campaign's allowed image hosts; [] when it does not exist or the database cannot be read. */
export async function imageHostsForSlug(slug: string): Promise<string[]> {
  const hit = cache.get(slug);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.hosts;
  let hosts: string[] = [];
  try {
    const db = await getDb();
    const [row] = await db.select({ hosts: campaigns.allowedImageHosts }).from(campaigns).where(eq(campaigns.slug, slug));
    hosts = row?.hosts ?? [];
  } catch {
    return hit?.hosts ?? [];
  }
  // Unknown slugs are cached too (as []), so probing many of them costs one read each per TTL; the map is bounded.
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(slug, { hosts, at: Date.now() });
  return hosts;
}

export function forgetImageHosts(slug: string): void {
  cache.delete(slug);
}
