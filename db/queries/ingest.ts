import { sql } from "drizzle-orm";
import { items } from "../schema";
import { postgresClientOf, rowsOf, type Db, type Tx } from "../client";
import { refreshItemTargets } from "./adaptive-k";
import { IdFilter } from "@/lib/ingest/id-filter";
import type { ItemRow, RatingRow } from "@/lib/ingest/row";

/**
 * Serialise imports into one campaign for the length of the caller's transaction: the COPY path below decides
 * "new" by looking, and two imports of the same new id at once would otherwise both decide so.
 */
export async function lockCampaignImports(tx: Tx, campaignId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`margin:import:${campaignId}`}))`);
}

/**
 * The same lock without waiting: false when another import (or a routing run's write) of the campaign holds it.
 * An import answers at once instead of queueing behind another one while holding a connection.
 */
export async function tryLockCampaignImports(tx: Tx, campaignId: string): Promise<boolean> {
  const [r] = rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${`margin:import:${campaignId}`})) as ok`));
  return r?.ok === true;
}

/**
 * For an import on PostgreSQL into a campaign with no items yet (call under lockCampaignImports): an empty filter
 * for the ids it writes. There an id can only exist if this import wrote it, so writeItems need not look up ids
 * the filter has never seen. Null on PGlite (writeItems upserts there) and for a campaign that has items.
 */
export async function newIdFilter(tx: Tx, campaignId: string): Promise<IdFilter | null> {
  if (!postgresClientOf(tx)) return null;
  const [r] = rowsOf<{ any: boolean }>(await tx.execute(sql`select exists (select 1 from items where campaign_id = ${campaignId}) as any`));
  return r?.any ? null : new IdFilter();
}

/**
 * Write one batch of items (inside the import transaction, under lockCampaignImports). On PostgreSQL, ids not
 * yet in the campaign go in by COPY (the server's bulk path, several times faster than an INSERT … SELECT from
 * JSON) and ids already there through upsertItems; PGlite uses upsertItems for all. Earlier batches of the same
 * file are visible to the lookup, so an id repeated across batches would update, never duplicate (importItems
 * resolves a file's repeated ids before writing, so it sends each id once).
 * `written` (from newIdFilter): ids it has never seen are not looked up, and this batch's ids are added to it.
 * `rows` may be a PreparedBatch (prepareBatch, made before the transaction began): its COPY text goes to the server
 * as it is, and its rows are decoded only when some of its ids already exist.
 */
export type WriteResult = { inserted: number; updated: number; unchanged: number; versioned: string[] };

/** A batch made ready for writeItems ahead of its transaction: the ids, the COPY text of every row, the rows. */
export type PreparedBatch = { ids: string[]; copy: Buffer; rows: () => ItemRow[] };

/** The COPY text of a batch's rows (one line per row, in order), for writeItems. */
export function prepareCopy(campaignId: string, rows: ItemRow[]): string {
  return copyText(campaignId, rows);
}

export async function writeItems(
  tx: Tx,
  campaignId: string,
  batch: ItemRow[] | PreparedBatch,
  written: IdFilter | null = null,
  copyBoundS = 30,
  importId: string | null = null,
): Promise<WriteResult> {
  const client = postgresClientOf(tx);
  const prepared = Array.isArray(batch) ? null : batch;
  const rows = Array.isArray(batch) ? () => batch : batch.rows;
  const ids = prepared ? prepared.ids : rows().map((r) => r.external_id);
  if (!client || ids.length === 0) return upsertItems(tx, campaignId, rows(), importId);
  const probe = written ? ids.filter((id) => written.mightHave(id)) : ids;
  const found = probe.length === 0 ? [] : rowsOf<{ external_id: string }>(
    // Driven from the batch's ids, one probe each of items_campaign_external_key.
    await tx.execute(sql`select i.external_id from json_array_elements_text(${JSON.stringify(probe)}::json) as x(id)
      join items i on i.campaign_id = ${campaignId} and i.external_id = x.id`),
  );
  const existing = new Set(found.map((r) => r.external_id));
  const freshCount = ids.length - ids.filter((id) => existing.has(id)).length;
  if (freshCount > 0) {
    let text: Buffer;
    if (existing.size === 0) text = prepared ? prepared.copy : Buffer.from(copyText(campaignId, rows()));
    else if (prepared) {
      // COPY text has one line per row (newlines inside values are escaped): keep the lines of the new ids.
      const lines = prepared.copy.toString("utf-8").split("\n");
      text = Buffer.from(ids.flatMap((id, i) => (existing.has(id) ? [] : [`${lines[i]}\n`])).join(""));
    } else text = Buffer.from(copyText(campaignId, rows().filter((r) => !existing.has(r.external_id))));
    await copyItems(client, text, copyBoundS);
  }
  if (written) for (const id of ids) written.add(id);
  const updated = existing.size === 0 ? { inserted: 0, updated: 0, unchanged: 0, versioned: [] } : await upsertItems(tx, campaignId, rows().filter((r) => existing.has(r.external_id)), importId);
  return { ...updated, inserted: freshCount + updated.inserted };
}

type CopyClient = NonNullable<ReturnType<typeof postgresClientOf>>;

/**
 * COPY the rows' text into items on the transaction's connection, settling whatever the server does with it.
 * postgres.js (3.4.9) never settles the stream when the server refuses the data after end() (its error only
 * reaches a stream still open; the COPY's own promise has already resolved to the stream). A query sent on the
 * same connection right after the COPY's end is answered only once the COPY is over: it succeeds when the COPY
 * did, and fails at once ("current transaction is aborted") when the server refused a row. So the batch settles,
 * and the caller's transaction always ends (and its import lock with it). copyBoundS stays as a last resort.
 */
async function copyItems(client: CopyClient, text: Buffer, copyBoundS: number): Promise<void> {
  const copy = await client.unsafe(`copy items (${COPY_COLUMNS.join(", ")}) from stdin`).writable();
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (e: unknown) => {
        failed = true;
        reject(e);
      };
      copy.on("error", fail);
      // 64 KB pieces: postgres.js copies each write into a message buffer that grows by doubling, so one
      // multi-megabyte write costs several copies of itself; small pieces cost one.
      const PIECE = 64 * 1024;
      let at = 0;
      const pump = () => {
        while (at < text.byteLength && !failed) {
          const piece = text.subarray(at, at + PIECE);
          at += PIECE;
          if (!copy.write(piece)) return void copy.once("drain", pump);
        }
        if (failed) return;
        copy.end();
        timer = setTimeout(() => fail(new Error(`PostgreSQL did not complete this batch's COPY within ${copyBoundS} s of receiving it; it may have refused a row (see its log). Nothing was imported.`)), copyBoundS * 1000);
      };
      // The sentinel goes out once postgres.js has sent the COPY's end (its _final; before that it refuses other
      // queries on the connection, and a refused query poisons the transaction).
      const final = (copy as unknown as { _final: (cb: (e?: Error | null) => void) => void })._final;
      (copy as unknown as { _final: typeof final })._final = function (this: unknown, cb) {
        final.call(this, cb);
        client.unsafe("select 1").then(
          () => resolve(),
          (e: unknown) => fail(Object.assign(new Error("PostgreSQL refused a row of this batch's COPY (see its log); the import was rolled back and nothing was imported."), { cause: e })),
        );
      };
      pump();
    });
  } finally {
    clearTimeout(timer);
  }
}

export const COPY_COLUMNS = ["campaign_id", "external_id", "input", "output", "output_b", "model", "metadata", '"group"', "judge_score", "judge_confidence", "judge_rationale", "embedding", "provided_tail_score", "gold_answer", "label_pi"];

// COPY text format: tab between columns, \N for null, and backslash, tab, newline and carriage return escaped.
const copyEscape = (s: string) => (/[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : s);
const copyMaybe = (v: string | undefined) => (v === undefined ? "\\N" : copyEscape(v));
const copyJson = (v: unknown) => (v === undefined || v === null ? "\\N" : copyEscape(JSON.stringify(v)));
const copyNum = (v: number | undefined) => (v === undefined ? "\\N" : String(v));

function copyText(campaignId: string, rows: ItemRow[]): string {
  let out = "";
  for (const r of rows) {
    out += `${campaignId}\t${copyEscape(r.external_id)}\t${copyEscape(r.input)}\t${copyEscape(r.output)}\t${copyMaybe(r.output_b)}\t${copyMaybe(r.model)}\t${copyJson(r.metadata ?? {})}\t${copyMaybe(r.group)}\t${copyJson(r.judge_score)}\t${copyNum(r.judge_confidence)}\t${copyMaybe(r.judge_rationale)}\t${r.embedding ? `{${r.embedding.join(",")}}` : "\\N"}\t${copyNum(r.tail_score)}\t${copyJson(r.gold_answer)}\t${copyNum(r.label_pi)}\n`;
  }
  return out;
}

// The versioned content of an item: what its raters saw (input, output(s)), the judge's verdict, and whether it is a
// gold check (a gold item is outside every design; becoming one, or ceasing to be, starts a new version).
const CONTENT = (t: string) => sql.raw(`(${t}.input, ${t}.output, ${t}.output_b, ${t}.judge_score, ${t}.judge_confidence, ${t}.judge_rationale, ${t}.gold_answer)`);
// Everything an import sets.
const ALL = (t: string) =>
  sql.raw(`(${t}.input, ${t}.output, ${t}.output_b, ${t}.model, ${t}.metadata, ${t}."group", ${t}.judge_score, ${t}.judge_confidence, ${t}.judge_rationale, ${t}.embedding, ${t}.provided_tail_score, ${t}.gold_answer, ${t}.label_pi)`);

/**
 * Upsert one batch of items in one statement. The whole batch travels as one JSON parameter expanded by
 * json_to_recordset (no 65k-parameter limit, same SQL on PGlite and postgres.js). `xmax = 0` is true only for
 * rows this statement inserted (an updated row carries the updating transaction's xmax), which counts
 * new vs updated without a second query. Routing columns are left alone: the routing run that follows an import
 * recomputes them.
 * Item versions: a row identical to the stored item writes nothing. A row whose content (input, output(s), judge
 * verdict, gold answer) differs keeps the old content in item_versions under its version number, bumps items.version and
 * starts the new version's count of judgments at 0 (judgments stay bound to the version their rater saw, and
 * live leases on it are closed so nobody submits a rating of text that is no longer there). A change of anything
 * else (metadata, model, embedding, provided tail score, label_pi) updates the item in place.
 * All CTEs read the statement's one snapshot, so `changed` sees the content the upsert replaces.
 */
export async function upsertItems(db: Db | Tx, campaignId: string, rows: ItemRow[], importId: string | null = null): Promise<WriteResult> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, versioned: [] };
  const result = await db.execute(sql`
    with x as (
      select x.external_id, x.input, x.output, x.output_b, x.model, coalesce(x.metadata, '{}'::jsonb) as metadata, x."group",
             x.judge_score, x.judge_confidence, x.judge_rationale, x.embedding, x.tail_score as provided_tail_score, x.gold_answer, x.label_pi
      from json_to_recordset(${JSON.stringify(rows)}::json) as x(
        external_id text, input text, output text, output_b text, model text, metadata jsonb, "group" text,
        judge_score jsonb, judge_confidence float8, judge_rationale text, embedding real[], tail_score float8, gold_answer jsonb, label_pi float8)
    ),
    changed as (
      select i.id, i.external_id, i.version, i.content_hash, i.input, i.output, i.output_b, i.judge_score, i.judge_confidence, i.judge_rationale, i.gold_answer
      from x join ${items} i on i.campaign_id = ${campaignId} and i.external_id = x.external_id
      where ${CONTENT("i")} is distinct from ${CONTENT("x")}
    ),
    archived as (
      insert into item_versions (item_id, version, campaign_id, content_hash, input, output, output_b, judge_score, judge_confidence, judge_rationale, gold_answer, superseded_by_import)
      select c.id, c.version, ${campaignId}, c.content_hash, c.input, c.output, c.output_b, c.judge_score, c.judge_confidence, c.judge_rationale, c.gold_answer, ${importId}::uuid
      from changed c
      returning item_id
    ),
    closed as (
      update assignments set status = 'expired', finished_at = now()
      where item_id in (select id from changed) and status = 'leased'
      returning id
    ),
    up as (
      insert into items (campaign_id, external_id, input, output, output_b, model, metadata, "group",
                         judge_score, judge_confidence, judge_rationale, embedding, provided_tail_score, gold_answer, label_pi)
      select ${campaignId}, x.external_id, x.input, x.output, x.output_b, x.model, x.metadata, x."group",
             x.judge_score, x.judge_confidence, x.judge_rationale, x.embedding, x.provided_tail_score, x.gold_answer, x.label_pi
      from x
      on conflict (campaign_id, external_id) do update set
        input = excluded.input, output = excluded.output, output_b = excluded.output_b, model = excluded.model,
        metadata = excluded.metadata, "group" = excluded."group", judge_score = excluded.judge_score,
        judge_confidence = excluded.judge_confidence, judge_rationale = excluded.judge_rationale,
        embedding = excluded.embedding, provided_tail_score = excluded.provided_tail_score, gold_answer = excluded.gold_answer,
        label_pi = excluded.label_pi,
        version = items.version + (${CONTENT("items")} is distinct from ${CONTENT("excluded")})::int,
        judgment_count = case when ${CONTENT("items")} is distinct from ${CONTENT("excluded")} then 0 else items.judgment_count end,
        k_reached = case when ${CONTENT("items")} is distinct from ${CONTENT("excluded")} then false else items.k_reached end,
        -- Adaptive k: a new version has no ratings, so nothing has disagreed yet.
        k_extended = case when ${CONTENT("items")} is distinct from ${CONTENT("excluded")} then false else items.k_extended end,
        updated_at = now()
      where ${ALL("items")} is distinct from ${ALL("excluded")}
      returning (xmax = 0) as inserted
    )
    select (select count(*) from up where inserted)::int as inserted, (select count(*) from up where not inserted)::int as updated,
           (select count(*) from closed)::int as closed,
           coalesce((select json_agg(c.external_id order by c.external_id) from changed c join archived a on a.item_id = c.id), '[]'::json)::text as versioned`);
  const [r] = rowsOf<{ inserted: number; updated: number; versioned: string }>(result);
  const inserted = r?.inserted ?? 0;
  const updated = r?.updated ?? 0;
  return { inserted, updated, unchanged: rows.length - inserted - updated, versioned: JSON.parse(r?.versioned ?? "[]") as string[] };
}

/**
 * Prior human ratings → external raters (one per pseudonym per campaign, no account) and judgments marked
 * source 'import'; re-importing the same (item, rater) updates the value. items.judgment_count is recounted for
 * the touched items in the same transaction so the assignment hot path stays right.
 */
export async function upsertImportedRatings(db: Db | Tx, campaignId: string, ratings: RatingRow[], guidelinesVersion: number): Promise<number> {
  if (ratings.length === 0) return 0;
  const raters = [...new Set(ratings.map((r) => r.rater))];
  const ids = [...new Set(ratings.map((r) => r.external_id))];
  await db.execute(sql`insert into external_raters (campaign_id, pseudonym)
    select ${campaignId}, r from json_array_elements_text(${JSON.stringify(raters)}::json) as r
    on conflict (campaign_id, pseudonym) do nothing`);
  // A rating arrives with the content of its row, so it is bound to the item's version after this import: after a
  // content change the same rater's rating of the new version is a new judgment, and the old one stays with the
  // version it was given on. An identical re-import changes nothing.
  const [written] = rowsOf<{ n: number }>(
    await db.execute(sql`with w as (
      insert into judgments (campaign_id, item_id, external_rater_id, value, rationale, source, guidelines_version, item_version)
      select ${campaignId}, i.id, er.id, x.value, x.rationale, 'import', ${guidelinesVersion}, i.version
      from json_to_recordset(${JSON.stringify(ratings)}::json) as x(external_id text, rater text, value jsonb, rationale text)
      join items i on i.campaign_id = ${campaignId} and i.external_id = x.external_id
      join external_raters er on er.campaign_id = ${campaignId} and er.pseudonym = x.rater
      on conflict (item_id, external_rater_id, item_version) do update set value = excluded.value, rationale = excluded.rationale, updated_at = now()
      where (judgments.value, judgments.rationale) is distinct from (excluded.value, excluded.rationale)
      returning 1
    ) select count(*)::int as n from w`),
  );
  // judgment_count counts the judgments of the item's current version (the ones that fill its target); with adaptive
  // k, prior ratings decide k_extended like app ratings do (the first k_min stored).
  await refreshItemTargets(db, campaignId, { externalIds: ids, recount: true });
  return written?.n ?? 0;
}
