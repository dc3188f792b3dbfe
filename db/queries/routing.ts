import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Db, Tx } from "../client";
import { items, routingRuns } from "../schema";

export type RoutingRow = {
  id: number;
  externalId: string;
  group: string | null;
  confidence: number | null;
  tail: number | null;
  text: string;
  embedding: Float32Array | null;
};

/** Items of a campaign in id order, a page at a time (keyset), with only what the chosen tail method needs. */
export async function* routingRows(db: Db, campaignId: string, need: { text: boolean; embedding: boolean }, page = 10_000): AsyncGenerator<RoutingRow[]> {
  let after = 0;
  for (;;) {
    const rows = await db
      .select({
        id: items.id,
        externalId: items.externalId,
        group: items.group,
        confidence: items.judgeConfidence,
        tail: items.tailScore,
        text: need.text ? sql<string>`left(${items.input}, 500) || E'\n' || left(${items.output}, 1500)` : sql<string>`''`,
        // As text, parsed straight into a Float32Array: 100k × 384 JS number arrays would cost ~1 GB.
        embedding: need.embedding ? sql<string | null>`array_to_string(${items.embedding}, ',')` : sql<null>`null`,
      })
      .from(items)
      .where(and(eq(items.campaignId, campaignId), gt(items.id, after)))
      .orderBy(asc(items.id))
      .limit(page);
    if (rows.length === 0) return;
    yield rows.map((r) => ({ ...r, embedding: r.embedding ? parseVector(r.embedding) : null }));
    after = rows.at(-1)!.id;
    if (rows.length < page) return;
  }
}

/** Re-derive the denormalised group column from metadata when the stratification key is known. */
export async function refreshGroups(db: Db | Tx, campaignId: string, key: string | null): Promise<void> {
  await db.execute(sql`update ${items} set "group" = ${key === null ? sql`null` : sql`metadata ->> ${key}`}
    where campaign_id = ${campaignId} and "group" is distinct from ${key === null ? sql`null` : sql`metadata ->> ${key}`}`);
}

export type RoutingUpdate = { id: number; tail: number | null; routed: boolean; pi: number; reason: string | null; priority: number };

/** Write tail scores and routing decisions for one batch (one statement; the JSON is a single parameter). */
export async function writeRouting(db: Db | Tx, campaignId: string, rows: RoutingUpdate[]): Promise<void> {
  if (rows.length === 0) return;
  await db.execute(sql`update ${items} as i set
      tail_score = x.tail, routed = x.routed, inclusion_prob = x.pi,
      route_reason = x.reason::route_reason, priority = x.priority, updated_at = now()
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as x(id bigint, tail float8, routed boolean, pi float8, reason text, priority float8)
    where i.id = x.id and i.campaign_id = ${campaignId}`);
}

function parseVector(text: string): Float32Array | null {
  if (text === "") return null;
  const parts = text.split(",");
  const out = new Float32Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Number(parts[i]);
  return out;
}

/** When the campaign was last routed (ISO string, as the routing API serialises it), or null. */
export async function latestRoutingRunAt(db: Db, campaignId: string): Promise<string | null> {
  const [run] = await db
    .select({ createdAt: routingRuns.createdAt })
    .from(routingRuns)
    .where(eq(routingRuns.campaignId, campaignId))
    .orderBy(desc(routingRuns.createdAt))
    .limit(1);
  return run ? new Date(run.createdAt).toISOString() : null;
}
