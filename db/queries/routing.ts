import { desc, eq, sql } from "drizzle-orm";
import { rowsOf, type Db, type Tx } from "../client";
import { items, routingRuns } from "../schema";

export type RoutingRow = {
  id: number;
  externalId: string;
  group: string | null;
  confidence: number | null;
  /** The provided tail score (never the computed one). */
  tail: number | null;
  version: number;
  gold: boolean;
  /** The version has a judge score. */
  judged: boolean;
  /** Imported human labels on the current version. */
  hasPrior: boolean;
  /** Routed to people by the latest run (rounds keep what earlier rounds drew). */
  routed: boolean;
  /** The prior study's inclusion probability for this item: label_pi, or 1 (a census) when it has prior labels. */
  priorPi: number | null;
  text: string;
  embedding: Float32Array | null;
};

/** Items of a campaign in id order, a page at a time (keyset), with only what the chosen tail method needs. */
export async function* routingRows(db: Db, campaignId: string, need: { text: boolean; embedding: boolean }, page = 10_000): AsyncGenerator<RoutingRow[]> {
  let after = 0;
  for (;;) {
    // The page is chosen first and the expressions computed on its rows only: when the planner sorts the
    // campaign's items to find a page, computing them in the same select would run them for every item, every page.
    // Embeddings travel in PostgreSQL's binary array format (array_send), read straight into a Float32Array:
    // formatting and parsing 38M floats as text took ~40 s for 100k × 384, and 100k JS number arrays cost ~1 GB.
    const rows = rowsOf<{ id: number | string; external_id: string; group: string | null; confidence: number | null; tail: number | null; version: number; gold: boolean; judged: boolean; has_prior: boolean; routed: boolean; label_pi: number | null; text: string; embedding: Uint8Array | null }>(
      await db.execute(sql`
        select p.id, p.external_id, p."group", p.judge_confidence as confidence, p.provided_tail_score as tail, p.version, p.gold, p.judged,
               exists (select 1 from judgments j where j.item_id = p.id and j.source = 'import' and j.item_version = p.version) as has_prior,
               p.label_pi, p.routed,
               ${need.text ? sql`left(p.input, 500) || E'\n' || left(p.output, 1500)` : sql`''`} as text,
               ${need.embedding ? sql`array_send(p.embedding)` : sql`null::bytea`} as embedding
        from (select id, external_id, "group", judge_confidence, provided_tail_score, version, gold_answer is not null as gold,
                     judge_score is not null as judged, label_pi, routed, input, output, embedding
              from ${items} where campaign_id = ${campaignId} and id > ${after} order by id limit ${page}) p
        order by p.id`),
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      id: Number(r.id),
      externalId: r.external_id,
      group: r.group,
      confidence: r.confidence,
      tail: r.tail,
      version: r.version,
      gold: r.gold,
      judged: r.judged,
      hasPrior: r.has_prior,
      routed: r.routed,
      priorPi: r.has_prior ? (r.label_pi === null ? 1 : Number(r.label_pi)) : r.label_pi === null ? null : Number(r.label_pi),
      text: r.text,
      embedding: r.embedding ? float4ArrayFromSend(r.embedding) : null,
    }));
    after = Number(rows.at(-1)!.id);
    if (rows.length < page) return;
  }
}

/** Re-derive the denormalised group column from metadata when the stratification key is known. */
export async function refreshGroups(db: Db | Tx, campaignId: string, key: string | null): Promise<void> {
  await db.execute(sql`update ${items} set "group" = ${key === null ? sql`null` : sql`metadata ->> ${key}`}
    where campaign_id = ${campaignId} and "group" is distinct from ${key === null ? sql`null` : sql`metadata ->> ${key}`}`);
}

export type RoutingUpdate = { id: number; tail: number | null; routed: boolean; pi: number | null; reason: string | null; priority: number };

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

export type InclusionRow = {
  item: number;
  version: number;
  group: string | null;
  tail: number | null;
  confidence: number | null;
  judged: boolean;
  routePi: number;
  u: number;
  routed: boolean;
  priorPi: number | null;
  inSample: boolean;
  pi: number;
  reason: string | null;
};

/** A routing run's inclusion records for one batch: insert only, never updated (the run's design stays as it was). */
export async function insertInclusionRecords(db: Db | Tx, runId: string, rows: InclusionRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.execute(sql`insert into inclusion_records (run_id, item_id, item_version, "group", tail, confidence, judged, route_pi, u, routed, prior_pi, in_sample, pi, reason)
    select ${runId}, x.item, x.version, x."group", x.tail, x.confidence, x.judged, x."routePi", x.u, x.routed, x."priorPi", x."inSample", x.pi, x.reason
    from json_to_recordset(${JSON.stringify(rows)}::json)
      as x(item bigint, version int, "group" text, tail float8, confidence float8, judged boolean, "routePi" float8, u float8, routed boolean, "priorPi" float8, "inSample" boolean, pi float8, reason text)`);
}

/**
 * A one-dimensional real[] in array_send's binary format → Float32Array; null for an empty array or one with a
 * NULL element (an item without a usable vector). Layout (big-endian int32s): ndim, has-nulls flag, element type
 * oid, then per dimension (size, lower bound), then per element its byte length (-1 for NULL) and its bytes.
 * Anything else is not what the query asked for, and throws rather than silently unscoring every item.
 */
export function float4ArrayFromSend(bytes: Uint8Array): Float32Array | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength >= 12 && v.getInt32(0) === 0) return null; // empty array
  if (bytes.byteLength < 20 || v.getInt32(0) !== 1 || v.getUint32(8) !== FLOAT4_OID) throw new Error("embedding: not a one-dimensional real[] in array_send format");
  const n = v.getInt32(12);
  if (n < 0 || v.getInt32(4) === 0 && bytes.byteLength !== 20 + n * 8) throw new Error("embedding: array_send data of the wrong length");
  const out = new Float32Array(n);
  for (let i = 0, off = 20; i < n; i++, off += 8) {
    if (off + 4 > bytes.byteLength) throw new Error("embedding: array_send data of the wrong length");
    const len = v.getInt32(off);
    if (len === -1) return null;
    if (len !== 4 || off + 8 > bytes.byteLength) throw new Error("embedding: array_send data of the wrong length");
    out[i] = v.getFloat32(off + 4);
  }
  return out;
}
const FLOAT4_OID = 700;

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

/** The campaign's imports so far, in one string: items change only through an import, so equal stamps mean equal items. */
export async function importStamp(db: Db | Tx, campaignId: string): Promise<string> {
  const [r] = rowsOf<{ s: string }>(
    await db.execute(sql`select count(*)::text || ':' || coalesce(max(created_at)::text, '') as s from imports where campaign_id = ${campaignId}`),
  );
  return r!.s;
}

export type PreviousRecord = { inSample: boolean; reason: string | null };

/** A run's sample as it left it, by item id: which items earlier rounds already drew (rounds build on it). */
export async function previousSample(db: Db | Tx, runId: string): Promise<Map<number, PreviousRecord>> {
  const rows = rowsOf<{ item_id: number | string; reason: string | null }>(
    await db.execute(sql`select item_id, reason from inclusion_records where run_id = ${runId} and in_sample`),
  );
  return new Map(rows.map((r) => [Number(r.item_id), { inSample: true, reason: r.reason }]));
}

export type LatestRun = { id: string; round: number; kind: "rules" | "active" | "escalate"; createdAt: string };

/** The campaign's latest routing run (the one the next round follows), or null. */
export async function latestRun(db: Db | Tx, campaignId: string): Promise<LatestRun | null> {
  const [r] = rowsOf<{ id: string; round: number; kind: LatestRun["kind"]; created_at: string | Date }>(
    await db.execute(sql`select id, round, kind, created_at from routing_runs where campaign_id = ${campaignId} order by created_at desc, id desc limit 1`),
  );
  return r ? { id: r.id, round: r.round, kind: r.kind, createdAt: new Date(r.created_at).toISOString() } : null;
}
