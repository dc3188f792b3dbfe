import { and, eq, sql } from "drizzle-orm";
import { executePrepared, rowsOf, type Db, type Tx } from "../client";
import { assignments, flags, judgments } from "../schema";
import { agreeSql, targetSql } from "./adaptive-k";

export type LockedAssignment = {
  id: number;
  itemId: number;
  status: "leased" | "submitted" | "skipped" | "expired";
  leasedAt: Date;
  expiresAt: Date;
  judgmentCount: number;
  isGold: boolean;
};

/**
 * This person's assignment with its item row locked (FOR UPDATE on the item): every writer of an item's
 * judgment_count goes through this lock, so the k bound below cannot be raced past.
 */
export async function lockAssignment(tx: Tx, campaignId: string, annotatorId: string, assignmentId: number): Promise<LockedAssignment | null> {
  const rows = rowsOf<{ id: number | string; item_id: number | string; status: LockedAssignment["status"]; leased_at: string | Date; expires_at: string | Date; judgment_count: number; is_gold: boolean }>(
    await tx.execute(sql`
      select a.id, a.item_id, a.status::text as status, a.leased_at, a.expires_at, i.judgment_count, (i.gold_answer is not null) as is_gold
      from assignments a join items i on i.id = a.item_id
      where a.id = ${assignmentId} and a.annotator_id = ${annotatorId} and a.campaign_id = ${campaignId}
      for update of i, a`),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    itemId: Number(r.item_id),
    status: r.status,
    leasedAt: new Date(r.leased_at),
    expiresAt: new Date(r.expires_at),
    judgmentCount: r.judgment_count,
    isGold: r.is_gold,
  };
}

export async function finishAssignment(
  tx: Tx,
  assignmentId: number,
  status: "submitted" | "skipped" | "expired",
  now: Date,
  skipReason: string | null = null,
): Promise<void> {
  await tx.update(assignments).set({ status, finishedAt: now, skipReason }).where(eq(assignments.id, assignmentId));
}

export async function insertFlag(
  tx: Tx,
  f: { campaignId: string; itemId: number; userId: string; reason: "harmful" | "broken" | "unclear" | "wrong_language" | "other"; note: string | null },
): Promise<number | null> {
  const rows = await tx
    .insert(flags)
    .values(f)
    .onConflictDoNothing({ target: [flags.itemId, flags.userId] })
    .returning({ id: flags.id });
  return rows[0]?.id ?? null;
}

/** One of this person's judgments in a campaign, locked for an edit. */
export async function lockOwnJudgment(tx: Tx, campaignId: string, annotatorId: string, judgmentId: number) {
  const [row] = await tx
    .select({ id: judgments.id, itemId: judgments.itemId, value: judgments.value, rationale: judgments.rationale, editCount: judgments.editCount })
    .from(judgments)
    .where(and(eq(judgments.id, judgmentId), eq(judgments.campaignId, campaignId), eq(judgments.annotatorId, annotatorId)))
    .for("update");
  return row ?? null;
}

export async function updateJudgmentValue(tx: Tx, judgmentId: number, value: number | string, rationale: string | null, now: Date) {
  await tx
    .update(judgments)
    .set({ value, rationale, editCount: sql`${judgments.editCount} + 1`, updatedAt: now })
    .where(eq(judgments.id, judgmentId));
}

export type SubmitVerdict = "ok" | "full" | "retry" | "submitted" | "skipped" | "expired" | "missing";

/** What the submit statement needs to know of the campaign: k (k_max) and the adaptive-k settings. */
export type SubmitTarget = {
  k: number;
  /** Adaptive k (null: fixed k): the item stops after kMin agreeing ratings, else collects up to k. */
  kMin?: number | null;
  /** Likert only: ratings at most this far apart agree (other scales: equal ratings agree). */
  agreeDistance?: number;
  /** Whether the rubric is ordinal (likert): decides how agreement is judged. */
  ordinal?: boolean;
};

/**
 * Submit in one statement (the hot path: one round trip instead of six). The item and assignment rows are
 * locked first (FOR UPDATE waits, and a locked row is re-read at its latest version), so judgment_count is
 * current when the k bound is checked and every writer of it is serialised on the item row.
 * The bound is the item's target (db/queries/adaptive-k.ts): k once the item is extended, else k_min when set,
 * else k. The k_min-th rating of an item not yet extended decides: when the k_min ratings (this one included)
 * disagree, k_extended is set and the item stays in the pool up to k; when they agree, k_reached is set and the
 * item leaves it.
 * Verdicts: ok (judgment written, count bumped, assignment submitted); full (no room: the lease is closed as
 * expired, nothing else changes); retry (nothing written: this submit decides agreement, but another submit on
 * the item committed while this one waited for the row lock, so the judgments this statement's snapshot can see
 * are one short of judgment_count — run it again, with a fresh snapshot); submitted/skipped/expired (the
 * assignment was already finished); missing (not this person's assignment in this campaign). Late submits: see
 * lib/assign/submit.ts.
 */
export async function submitInOneStatement(
  db: Db | Tx,
  s: SubmitTarget & { campaignId: string; annotatorId: string; assignmentId: number; value: number | string; rationale: string | null; guidelinesVersion: number; now?: Date | null },
): Promise<{ verdict: SubmitVerdict; judgmentId: number | null; itemId: number | null }> {
  // Absent: the database's clock when the statement runs. A time taken by the app before the request waited for a
  // connection can be seconds old under load; a lease that had in fact expired (and whose slot another person
  // had since been given) then looked live here, and the late-submit check below was skipped (issue #19).
  const now = s.now ? sql`${s.now.toISOString()}::timestamptz` : sql`statement_timestamp()`;
  const value = JSON.stringify(s.value);
  const k = sql`${s.k}::int`;
  const kMin = sql`${s.kMin ?? null}::int`;
  // The ratings of the current version this statement's snapshot can see, plus the one being submitted.
  const ratings = sql`select j.value from judgments j where j.item_id = g.item_id and j.item_version = g.version
                      union all select ${value}::jsonb`;
  const rows = await executePrepared<{ verdict: SubmitVerdict; judgment_id: number | string | null; item_id: number | string | null }>(
    db,
    sql`
      with a as (
        select a.id, a.item_id, a.status::text as status, a.leased_at, a.expires_at, i.judgment_count, i.version, i.k_extended, (i.gold_answer is not null) as is_gold,
               -- Whether the locked item row is the one this statement's snapshot sees (see the late submit below).
               pg_visible_in_snapshot(i.xmin::text::xid8, pg_current_snapshot()) as item_seen
        from assignments a join items i on i.id = a.item_id
        where a.id = ${s.assignmentId} and a.annotator_id = ${s.annotatorId} and a.campaign_id = ${s.campaignId}
        for update of i, a
      ),
      g as (
        select a.*, ${targetSql(sql`a.k_extended`, k, kMin)} as target,
               -- This rating would be the k_min-th of an item not yet extended: it decides whether the item stops.
               (${kMin} is not null and ${kMin} < ${k} and not a.k_extended and not a.is_gold and a.judgment_count + 1 = ${kMin}) as decides
        from a
      ),
      d as (
        -- Read only when deciding (a CASE branch is evaluated lazily). The judgments come from the statement's
        -- snapshot, which can predate a submit that committed while this one waited for the row lock; judgment_count
        -- comes from the locked row and cannot. When the two counts differ the verdict is 'retry'.
        select g.*,
               case when g.decides then (select count(*)::int from judgments j where j.item_id = g.item_id and j.item_version = g.version) end as seen,
               case when g.decides then ${agreeSql(ratings, sql`${s.ordinal ?? false}::boolean`, sql`${s.agreeDistance ?? 0}::float8`)} end as agree
        from g
      ),
      verdict as (
        select d.*, case
          when d.status <> 'leased' then d.status
          when d.is_gold then 'ok'
          -- A late submit counts other people's live leases from this statement's snapshot; a lease committed while
          -- this statement waited for the item lock rewrote the item row (leaseNextItem's no-op update), so the
          -- locked row is newer than the snapshot: count again with a fresh one rather than miss that lease.
          when d.expires_at <= ${now} and not d.item_seen then 'retry'
          when d.judgment_count + case when d.expires_at > ${now} then 0 else
                 (select count(*) from assignments o where o.item_id = d.item_id and o.annotator_id <> ${s.annotatorId}
                    and o.status = 'leased' and o.expires_at > ${now}) end >= d.target then 'full'
          when d.decides and d.seen <> d.judgment_count then 'retry'
          else 'ok' end as verdict,
          (d.k_extended or (d.decides and not d.agree)) as extended
        from d
      ),
      j as (
        -- Bound to the item's current version: a re-import that changes the content closes the live leases on it
        -- in the same transaction, so the version read here under the row lock is the one this lease showed.
        insert into judgments (campaign_id, item_id, annotator_id, value, rationale, time_taken_ms, guidelines_version, item_version, created_at, updated_at)
        select ${s.campaignId}, v.item_id, ${s.annotatorId}, ${value}::jsonb, ${s.rationale},
               least(greatest(0, extract(epoch from (${now} - v.leased_at)) * 1000), 86400000)::int,
               ${s.guidelinesVersion}, v.version, ${now}, ${now}
        from verdict v where v.verdict = 'ok'
        returning id, item_id
      ),
      bump as (
        update items set judgment_count = items.judgment_count + 1, k_extended = v.extended,
                         k_reached = items.judgment_count + 1 >= ${targetSql(sql`v.extended`, k, kMin)}, updated_at = ${now}
        from j join verdict v on v.item_id = j.item_id where items.id = j.item_id
        returning items.id
      ),
      finish as (
        update assignments set status = (case when v.verdict = 'ok' then 'submitted' else 'expired' end)::assignment_status,
                               finished_at = ${now}
        from verdict v where assignments.id = v.id and v.verdict in ('ok', 'full')
        returning assignments.id
      )
      select v.verdict, (select id from j) as judgment_id, v.item_id, (select count(*) from bump) + (select count(*) from finish) as writes
      from verdict v`,
  );
  const r = rows[0];
  if (!r) return { verdict: "missing", judgmentId: null, itemId: null };
  return { verdict: r.verdict, judgmentId: r.judgment_id === null ? null : Number(r.judgment_id), itemId: r.item_id === null ? null : Number(r.item_id) };
}

/**
 * The judgment an already-submitted assignment produced (the newest, if the item was re-rated after a new
 * version), and whether it holds exactly `value` and `rationale` (compared in SQL, as jsonb): how a retried
 * submit whose first answer was lost is recognised.
 */
export async function judgmentOfAssignment(
  db: Db,
  s: { campaignId: string; annotatorId: string; assignmentId: number; value: number | string; rationale: string | null },
): Promise<{ id: number; itemId: number; same: boolean } | null> {
  const rows = rowsOf<{ id: number | string; item_id: number | string; same: boolean }>(
    await db.execute(sql`
      select j.id, j.item_id, (j.value = ${JSON.stringify(s.value)}::jsonb and j.rationale is not distinct from ${s.rationale}::text) as same
      from ${assignments} a join ${judgments} j on j.item_id = a.item_id and j.annotator_id = a.annotator_id
      where a.id = ${s.assignmentId} and a.annotator_id = ${s.annotatorId} and a.campaign_id = ${s.campaignId} and a.status = 'submitted'
      order by j.id desc limit 1`),
  );
  const r = rows[0];
  return r ? { id: Number(r.id), itemId: Number(r.item_id), same: r.same === true } : null;
}
