import { sql, type SQL } from "drizzle-orm";
import { executePrepared, rowsOf, type Db, type Tx } from "../client";
import { targetSql } from "./adaptive-k";

/**
 * What a contributor is shown for one leased item. Deliberately narrow: no judge score, confidence or
 * rationale, no model name, no other people's judgments (blind rating). Every query on the contributor path
 * selects exactly these columns and never the judge_* ones.
 */
export type LeasedItem = {
  assignmentId: number;
  itemId: number;
  swapped: boolean;
  leasedAt: string;
  expiresAt: string;
  input: string;
  output: string;
  outputB: string | null;
  isGold: boolean;
  /**
   * The item's language as its metadata names it (`language` or `lang`), when it is a well-formed BCP 47 tag: the
   * rating page marks the text with it (`lang`), so screen readers and fonts pick the right voice and glyphs.
   */
  language: string | null;
};

type LeaseRow = {
  assignment_id: number | string;
  item_id: number | string;
  swapped: boolean;
  leased_at: string | Date;
  expires_at: string | Date;
  input: string;
  output: string;
  output_b: string | null;
  is_gold: boolean;
  language: string | null;
};

const iso = (d: string | Date) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** A BCP 47 language tag (en, pt-BR, zh-Hant, yue), or null for anything else a metadata field may hold. */
export function languageTag(value: string | null | undefined): string | null {
  if (!value || value.length > 35) return null;
  return /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(value) ? value : null;
}

function toLeasedItem(r: LeaseRow): LeasedItem {
  return {
    assignmentId: Number(r.assignment_id),
    itemId: Number(r.item_id),
    swapped: r.swapped,
    leasedAt: iso(r.leased_at),
    expiresAt: iso(r.expires_at),
    input: r.input,
    output: r.output,
    outputB: r.output_b,
    isGold: r.is_gold,
    language: languageTag(r.language),
  };
}

export type LeaseParams = {
  campaignId: string;
  annotatorId: string;
  /** k_max: the most ratings any item collects. */
  k: number;
  /** Adaptive k (null or absent: fixed k): an item not extended collects kMin (db/queries/adaptive-k.ts). */
  kMin?: number | null;
  leaseMinutes: number;
  /**
   * The clock, passed in so lease expiry is testable without sleeping. Absent or null: the database's clock when
   * the statement runs (statement_timestamp()), which is what requests use — a time taken by the app before the
   * request queued for a pool connection can be seconds old under load, and every instance then still agrees.
   */
  now?: Date | null;
  /** Try a gold item first (the caller draws this at the campaign's gold rate). */
  preferGold: boolean;
  /** Pairwise: show output B on the left for this lease. */
  swapped: boolean;
};

/**
 * Next-item assignment in one statement (design notes, "Assignment"):
 * 1. `live`: this person's live lease in the campaign, returned as is (reopening the page gives the same item);
 * 2. otherwise `gold` (only when preferGold): a gold item this person has not answered — gold items are
 *    checks on people, so k does not bound them;
 * 3. otherwise `pick`: the highest-priority routed, non-gold item with judgment_count + live leases < its target
 *    (k; with adaptive k, k_min until its first k_min ratings disagree, then k — db/queries/adaptive-k.ts) that
 *    this person has neither rated nor skipped in its current version (a re-import that changed the content is new
 *    work for everyone, including those who rated the old version). Control items carry priorities drawn in the same range as
 *    targeted ones (lib/routing), so ORDER BY priority interleaves them and the control sample never starves.
 * `FOR UPDATE SKIP LOCKED` makes concurrent callers take different items instead of queueing on the head of
 * the index. The upsert re-leases this person's own expired lease row (unique (item, annotator)); a row in any
 * other state makes the ON CONFLICT WHERE false and nothing is returned (the caller retries once).
 * An expired lease needs no job: every count here only sees leases with expires_at > now.
 */
export async function leaseNextItem(db: Db | Tx, p: LeaseParams): Promise<LeasedItem | null> {
  const rows = await executePrepared<LeaseRow>(db, leaseStatement(p));
  return rows[0] ? toLeasedItem(rows[0]) : null;
}

/** The lease statement itself (exported for the test that EXPLAINs it on the hot-path pool's settings). */
export function leaseStatement(p: LeaseParams): SQL {
  const now = p.now ? sql`${p.now.toISOString()}::timestamptz` : sql`statement_timestamp()`;
  const expires = sql`${now} + make_interval(secs => ${p.leaseMinutes * 60}::float8)`;
  // A literal, not a parameter: the gold branch then folds away when it is off, and one generic plan serves.
  const preferGold = sql.raw(p.preferGold ? "true" : "false");
  // The item's target: k_max once extended, else k_min when set, else k.
  const target = targetSql(sql`i.k_extended`, sql`${p.k}::int`, sql`${p.kMin ?? null}::int`);
  return sql`
      with durability as (
        -- A lease is a reservation, not data: commit it without waiting for the WAL flush (the statement is its own
        -- transaction, so this is local to it). A crash can lose the last fraction of a second of leases; those
        -- items simply return to the pool and a submit on a lost lease gets a 404. Submits stay synchronous, and
        -- the WAL is sequential, so no later durable write can depend on a lost lease.
        select set_config('synchronous_commit', 'off', true)
      ),
      live as (
        select a.id, a.item_id, a.swapped, a.leased_at, a.expires_at
        from assignments a
        where a.annotator_id = ${p.annotatorId} and a.campaign_id = ${p.campaignId}
          and a.status = 'leased' and a.expires_at > ${now}
        order by a.leased_at
        limit 1
      ),
      open_campaign as (
        select 1 from campaigns c where c.id = ${p.campaignId} and c.status = 'active'
      ),
      gold as (
        select i.id, i.version from items i
        where ${preferGold} and not exists (select 1 from live) and exists (select 1 from open_campaign)
          and i.campaign_id = ${p.campaignId} and i.gold_answer is not null
          and not exists (select 1 from assignments s where s.item_id = i.id and s.item_version = i.version and s.annotator_id = ${p.annotatorId}
                          and (s.status <> 'leased' or s.expires_at > ${now}))
        order by i.id
        limit 1
        for update of i skip locked
      ),
      pick as (
        select i.id, i.version from items i
        where not exists (select 1 from live) and not exists (select 1 from gold) and exists (select 1 from open_campaign)
          and i.campaign_id = ${p.campaignId} and i.routed and not i.k_reached and i.gold_answer is null
          and i.judgment_count < ${target}
          -- Exact k for leases: a lease also rewrites its item row (touched, below). If another caller leased
          -- this item and committed after our snapshot was taken, the row we lock is that newer version (READ
          -- COMMITTED re-checks this filter on it), whose xmin our snapshot cannot see: skip it rather than
          -- count leases from a stale snapshot. xmin is 32-bit; read as an epoch-0 xid8 this is exact until
          -- the cluster's first xid wraparound, after which it is always true (over-leasing possible again,
          -- judgments still bounded by the submit statement).
          and pg_visible_in_snapshot(i.xmin::text::xid8, pg_current_snapshot())
          -- One probe of the item's assignments decides both "room left" and "not seen by this person". Kept a
          -- scalar subquery on purpose: a NOT EXISTS becomes an anti join, and the planner then sorts every
          -- item of the campaign instead of walking items_assign_idx and stopping at the first free one.
          and coalesce((
            select bool_or(s.annotator_id = ${p.annotatorId} and s.item_version = i.version and (s.status <> 'leased' or s.expires_at > ${now}))
                   or i.judgment_count + count(*) filter (where s.status = 'leased' and s.expires_at > ${now}) >= ${target}
            from assignments s where s.item_id = i.id), false) = false
        order by i.priority desc nulls last, i.id
        limit 1
        for update of i skip locked
      ),
      chosen as (
        select id, version from gold union all select id, version from pick
      ),
      leased as (
        insert into assignments (campaign_id, item_id, annotator_id, status, leased_at, expires_at, swapped, item_version)
        select ${p.campaignId}, chosen.id, ${p.annotatorId}, 'leased', ${now}, ${expires}, ${p.swapped}, chosen.version
        from chosen
        on conflict (item_id, annotator_id, item_version) do update
          set leased_at = excluded.leased_at, expires_at = excluded.expires_at, swapped = excluded.swapped
          where assignments.status = 'leased' and assignments.expires_at <= ${now}
        returning id, item_id, swapped, leased_at, expires_at
      ),
      -- A no-op rewrite of the leased item row: gives it this transaction's xmin (see the visibility check).
      touched as (
        update items set updated_at = items.updated_at from leased where items.id = leased.item_id returning items.id
      ),
      result as (
        select * from live union all select * from leased
      )
      select r.id as assignment_id, r.item_id, r.swapped, r.leased_at, r.expires_at,
             i.input, i.output, i.output_b, (i.gold_answer is not null) as is_gold,
             coalesce(i.metadata->>'language', i.metadata->>'lang') as language
      from result r join items i on i.id = r.item_id
      where exists (select 1 from durability)`;
}

/** Routed items still waiting for ratings that this person could be offered (for "My campaigns"). */
export async function countWaitingFor(db: Db, campaignIds: string[], annotatorId: string, now: Date) {
  if (campaignIds.length === 0) return new Map<string, number>();
  const rows = rowsOf<{ campaign_id: string; n: number }>(
    await db.execute(sql`
      select i.campaign_id, count(*)::int as n
      from items i join campaigns c on c.id = i.campaign_id
      where i.campaign_id in (${sql.join(campaignIds.map((id) => sql`${id}::uuid`), sql`, `)})
        and i.routed and i.gold_answer is null and i.judgment_count < ${targetSql(sql`i.k_extended`, sql`c.k`, sql`c.k_min`)}
        and not exists (select 1 from assignments s where s.item_id = i.id and s.item_version = i.version and s.annotator_id = ${annotatorId}
                        and (s.status <> 'leased' or s.expires_at > ${now.toISOString()}::timestamptz))
      group by i.campaign_id`),
  );
  return new Map(rows.map((r) => [r.campaign_id, r.n]));
}
