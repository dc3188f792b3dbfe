import type { Sql } from "postgres";
import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client";
import { FORMULA_PREFIXES } from "@/lib/export/csv-safe";
import { campaignMembers, exports, externalRaters, items, judgments } from "../schema";

// Keyset pages over a campaign's items and judgments, ordered by id: each page is its own short query, so an
// export holds no cursor or transaction between pages, and the order is the same on every run.

export async function itemsPage(db: Db, campaignId: string, afterId: number, limit: number) {
  return db
    .select({
      id: items.id,
      externalId: items.externalId,
      input: items.input,
      output: items.output,
      outputB: items.outputB,
      model: items.model,
      group: items.group,
      metadata: items.metadata,
      judgeScore: items.judgeScore,
      judgeConfidence: items.judgeConfidence,
      judgeRationale: items.judgeRationale,
      tailScore: items.tailScore,
      routed: items.routed,
      routeReason: items.routeReason,
      inclusionProb: items.inclusionProb,
      providedTailScore: items.providedTailScore,
      version: items.version,
      contentHash: items.contentHash,
      goldAnswer: items.goldAnswer,
      labelPi: items.labelPi,
    })
    .from(items)
    .where(and(eq(items.campaignId, campaignId), gt(items.id, afterId)))
    .orderBy(asc(items.id))
    .limit(limit);
}

export async function judgmentsPage(db: Db, campaignId: string, afterId: number, limit: number) {
  return db
    .select({
      id: judgments.id,
      itemExternalId: items.externalId,
      annotatorId: judgments.annotatorId,
      externalRaterId: judgments.externalRaterId,
      externalPseudonym: externalRaters.pseudonym,
      value: judgments.value,
      rationale: judgments.rationale,
      timeTakenMs: judgments.timeTakenMs,
      source: judgments.source,
      guidelinesVersion: judgments.guidelinesVersion,
      createdAt: judgments.createdAt,
      updatedAt: judgments.updatedAt,
      inclusionProb: items.inclusionProb,
      routeReason: items.routeReason,
      model: items.model,
      excluded: sql<boolean>`coalesce(${campaignMembers.excludedFromReports}, false)`,
      itemVersion: judgments.itemVersion,
    })
    .from(judgments)
    .innerJoin(items, eq(items.id, judgments.itemId))
    .leftJoin(externalRaters, eq(externalRaters.id, judgments.externalRaterId))
    .leftJoin(campaignMembers, and(eq(campaignMembers.campaignId, judgments.campaignId), eq(campaignMembers.userId, judgments.annotatorId)))
    .where(and(eq(judgments.campaignId, campaignId), gt(judgments.id, afterId)))
    .orderBy(asc(judgments.id))
    .limit(limit);
}

export async function countItems(db: Db, campaignId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(items).where(eq(items.campaignId, campaignId));
  return row?.n ?? 0;
}

export async function countJudgments(db: Db, campaignId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(judgments).where(eq(judgments.campaignId, campaignId));
  return row?.n ?? 0;
}

export async function listExports(db: Db, campaignId: string, limit = 50) {
  return db
    .select({
      id: exports.id,
      kind: exports.kind,
      format: exports.format,
      rowCount: exports.rowCount,
      sha256: exports.sha256,
      userId: exports.userId,
      params: exports.params,
      createdAt: exports.createdAt,
      complete: sql<boolean>`${exports.manifest} is not null`,
    })
    .from(exports)
    .where(eq(exports.campaignId, campaignId))
    .orderBy(desc(exports.createdAt), desc(exports.id))
    .limit(limit);
}

export async function findExport(db: Db, campaignId: string, exportId: string) {
  const [row] = await db.select().from(exports).where(and(eq(exports.campaignId, campaignId), eq(exports.id, exportId)));
  return row ?? null;
}

// SQL spellings of lib/export/csv-safe.ts csvCell() for the COPY path (see lib/export/copy-csv.ts).
const FORMULA_PREFIXES_SQL = FORMULA_PREFIXES.map((c) => `chr(${c.charCodeAt(0)})`).join(", ");

/** SQL for one CSV cell from a text expression: like csvCell() (null and "" empty, formula prefix neutralised). */
function csvTextSql(expr: string): string {
  return `(case when left(${expr}, 1) in (${FORMULA_PREFIXES_SQL}) then '''' || ${expr} else nullif(${expr}, '') end)`;
}

/** A timestamptz as Date.toISOString() writes it (UTC, milliseconds, Z). */
function isoTimeSql(expr: string): string {
  return `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** A jsonb value as csvCell() writes the parsed value: strings bare and neutralised, numbers as numbers, anything else as JSON text. */
function jsonCellSql(expr: string): string {
  return `(case when jsonb_typeof(${expr}) = 'string' then ${csvTextSql(`(${expr} #>> '{}')`)} else ${expr}::text end)`;
}

/**
 * A SQL string literal. E'' syntax means the same whatever standard_conforming_strings says; NUL cannot occur
 * (PostgreSQL text cannot hold it, and every value here was read from or checked for the database).
 */
function sqlLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("A NUL character cannot be sent to PostgreSQL");
  return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidLiteral = (id: string) => {
  if (!UUID.test(id)) throw new Error(`Not a uuid: ${id}`);
  return `'${id}'::uuid`;
};

/**
 * The judgments export as one select for COPY (lib/export/copy-csv.ts), on a dedicated postgres.js connection.
 * Pseudonyms are computed in JS (HMAC with the install secret) for the campaign's distinct raters; they and the
 * per-campaign provenance constants go into the select as literals (COPY takes no parameters, and a read replica
 * allows no temp tables). Columns in the order of lib/export/kinds/judgments.ts.
 */
export async function prepareJudgmentsCopy(
  sql: Sql,
  campaignId: string,
  nameFor: { account: (userId: string) => string; external: (raterId: string, pseudonym: string) => string },
  constants: { campaignId: string; rubric: string; routingPolicyVersion: string; routingSeed: string | null },
): Promise<string> {
  // Distinct raters by skipping through judgments_campaign_annotator_idx (one index probe per rater, not a scan
  // of the campaign's judgments).
  const accounts = await sql<{ id: string }[]>`
    with recursive r(id) as (
      (select annotator_id from judgments where campaign_id = ${campaignId} and annotator_id is not null order by annotator_id limit 1)
      union all
      select (select annotator_id from judgments where campaign_id = ${campaignId} and annotator_id > r.id order by annotator_id limit 1)
      from r where r.id is not null
    )
    select id from r where id is not null`;
  const external = await sql<{ id: string; pseudonym: string }[]>`select id, pseudonym from external_raters where campaign_id = ${campaignId}`;
  const excluded = new Set(
    (await sql<{ id: string }[]>`select user_id as id from campaign_members where campaign_id = ${campaignId} and excluded_from_reports`).map((r) => r.id),
  );
  // One row per rater (account or imported: both uuid keys), so each judgment needs one lookup, not three.
  const raters = [
    ...accounts.map((r) => `(${uuidLiteral(r.id)}, ${sqlLiteral(nameFor.account(r.id))}, '${excluded.has(r.id)}')`),
    ...external.map((r) => `(${uuidLiteral(r.id)}, ${sqlLiteral(nameFor.external(r.id, r.pseudonym))}, 'false')`),
  ];
  const raterTable = raters.length > 0 ? `(values ${raters.join(", ")})` : `(select null::uuid, null::text, null::text where false)`;
  const cell = (v: string | null) => (v === null || v === "" ? "null::text" : sqlLiteral(v));
  // One long, simple scan: JIT compilation costs more than it saves here.
  await sql`set jit = off`;
  return `
    select j.id, ${csvTextSql("i.external_id")}, r.name, ${jsonCellSql("j.value")}, ${csvTextSql("j.rationale")},
           j.time_taken_ms, j.source, ${isoTimeSql("j.created_at")}, ${isoTimeSql("j.updated_at")},
           r.excluded, ${cell(constants.campaignId)}, j.guidelines_version, ${cell(constants.rubric)}, ${cell(constants.routingPolicyVersion)}, ${cell(constants.routingSeed)},
           i.inclusion_prob, i.route_reason, ${csvTextSql("i.model")}, j.item_version
    from judgments j
    join items i on i.id = j.item_id
    left join ${raterTable} as r(id, name, excluded) on r.id = coalesce(j.annotator_id, j.external_rater_id)
    where j.campaign_id = ${uuidLiteral(campaignId)}
    order by j.id`;
}

export type DesignRow = {
  itemId: number;
  externalId: string;
  itemVersion: number;
  group: string | null;
  tail: number | null;
  routePi: number;
  u: number | null;
  routed: boolean;
  priorPi: number | null;
  inSample: boolean;
  pi: number;
  reason: string | null;
  judgeScore: unknown;
  confidence: number | null;
};

/** A page of a routing run's inclusion records, with each item's judge score as of the recorded version. */
export async function designPage(db: Db, campaignId: string, runId: string, afterItemId: number, limit: number): Promise<DesignRow[]> {
  const rows = rowsOf<{ item_id: number | string; external_id: string; item_version: number; group: string | null; tail: number | null; route_pi: number; u: number | null; routed: boolean; prior_pi: number | null; in_sample: boolean; pi: number; reason: string | null; judge: string | null; confidence: number | null }>(
    await db.execute(sql`
      select r.item_id, i.external_id, r.item_version, r."group", r.tail, r.route_pi, r.u, r.routed, r.prior_pi, r.in_sample, r.pi, r.reason, r.confidence,
             (case when r.item_version = i.version then i.judge_score else v.judge_score end)::text as judge
      from inclusion_records r
      join ${items} i on i.id = r.item_id and i.campaign_id = ${campaignId}
      left join item_versions v on v.item_id = r.item_id and v.version = r.item_version and r.item_version <> i.version
      where r.run_id = ${runId} and r.item_id > ${afterItemId}
      order by r.item_id
      limit ${limit}`),
  );
  return rows.map((r) => ({
    itemId: Number(r.item_id),
    externalId: r.external_id,
    itemVersion: Number(r.item_version),
    group: r.group,
    tail: r.tail === null ? null : Number(r.tail),
    routePi: Number(r.route_pi),
    u: r.u === null ? null : Number(r.u),
    routed: r.routed,
    priorPi: r.prior_pi === null ? null : Number(r.prior_pi),
    inSample: r.in_sample,
    pi: Number(r.pi),
    reason: r.reason,
    judgeScore: r.judge === null ? null : JSON.parse(r.judge),
    confidence: r.confidence === null ? null : Number(r.confidence),
  }));
}

export async function countDesign(db: Db, runId: string): Promise<number> {
  const [r] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from inclusion_records where run_id = ${runId}`));
  return r?.n ?? 0;
}
