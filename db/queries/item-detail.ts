import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client";

// One item of a campaign as the item browser shows it (docs/item-browser.md): its content and judge verdict, every
// rating (raters by id only; callers turn ids into pseudonyms), its inclusion record in every routing run, its
// earlier versions and its flags. Every query takes the campaign id, so an item of another campaign is not found.

export type ItemDetail = {
  id: number;
  externalId: string;
  input: string;
  output: string;
  outputB: string | null;
  model: string | null;
  metadata: Record<string, unknown>;
  group: string | null;
  judgeScore: number | string | null;
  judgeConfidence: number | null;
  judgeRationale: string | null;
  tailScore: number | null;
  providedTailScore: number | null;
  labelPi: number | null;
  routed: boolean;
  inclusionProb: number | null;
  routeReason: string | null;
  priority: number;
  goldAnswer: number | string | null;
  judgmentCount: number;
  kReached: boolean;
  version: number;
  contentHash: string | null;
  createdAt: string;
  updatedAt: string;
};

const iso = (d: string | Date | null) => (d === null ? null : new Date(d).toISOString());
const numOrNull = (x: unknown) => (x === null || x === undefined ? null : Number(x));
/** jsonb columns are selected as text (drizzle passes JSON through as text on postgres.js, parsed on PGlite). */
const json = (x: unknown): unknown => (x === null || x === undefined ? null : JSON.parse(String(x)));

/**
 * An item by reference: its external id, or else (digits only) its numeric id. External ids come first because they
 * are what people know; an external id that is all digits and names another item's id still finds its own item.
 */
export async function findItem(db: Db, campaignId: string, ref: string): Promise<ItemDetail | null> {
  const byId = /^\d{1,15}$/.test(ref) ? Number(ref) : null;
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select id, external_id, input, output, output_b, model, metadata::text as metadata, "group", judge_score::text as judge_score, judge_confidence, judge_rationale,
             tail_score, provided_tail_score, label_pi, routed, inclusion_prob, route_reason::text as route_reason, priority,
             gold_answer::text as gold_answer, judgment_count, k_reached, version, content_hash, created_at, updated_at
      from items
      where campaign_id = ${campaignId} and (external_id = ${ref}${byId !== null ? sql` or id = ${byId}` : sql``})
      order by (external_id = ${ref}) desc
      limit 1`),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: Number(r.id),
    externalId: String(r.external_id),
    input: String(r.input),
    output: String(r.output),
    outputB: (r.output_b as string | null) ?? null,
    model: (r.model as string | null) ?? null,
    metadata: json(r.metadata) as Record<string, unknown>,
    group: (r.group as string | null) ?? null,
    judgeScore: json(r.judge_score) as number | string | null,
    judgeConfidence: numOrNull(r.judge_confidence),
    judgeRationale: (r.judge_rationale as string | null) ?? null,
    tailScore: numOrNull(r.tail_score),
    providedTailScore: numOrNull(r.provided_tail_score),
    labelPi: numOrNull(r.label_pi),
    routed: Boolean(r.routed),
    inclusionProb: numOrNull(r.inclusion_prob),
    routeReason: (r.route_reason as string | null) ?? null,
    priority: Number(r.priority),
    goldAnswer: json(r.gold_answer) as number | string | null,
    judgmentCount: Number(r.judgment_count),
    kReached: Boolean(r.k_reached),
    version: Number(r.version),
    contentHash: (r.content_hash as string | null) ?? null,
    createdAt: iso(r.created_at as string | Date)!,
    updatedAt: iso(r.updated_at as string | Date)!,
  };
}

export type ItemRating = {
  id: number;
  /** Exactly one of the two is set: an account's id, or an imported rater's id and pseudonym. */
  annotatorId: string | null;
  externalRaterId: string | null;
  externalPseudonym: string | null;
  value: number | string;
  rationale: string | null;
  itemVersion: number;
  source: "app" | "import";
  timeTakenMs: number | null;
  editCount: number;
  /** The rater was excluded from reports (gold checks): the rating does not count. */
  excluded: boolean;
  createdAt: string;
  updatedAt: string;
};

/** Every rating of the item, oldest first, on any version. */
export async function itemRatings(db: Db, campaignId: string, itemId: number): Promise<ItemRating[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select j.id, j.annotator_id, j.external_rater_id, x.pseudonym as external_pseudonym, j.value::text as value, j.rationale, j.item_version,
             j.source::text as source, j.time_taken_ms, j.edit_count, coalesce(m.excluded_from_reports, false) as excluded, j.created_at, j.updated_at
      from judgments j
      left join external_raters x on x.id = j.external_rater_id
      left join campaign_members m on m.campaign_id = j.campaign_id and m.user_id = j.annotator_id
      where j.campaign_id = ${campaignId} and j.item_id = ${itemId}
      order by j.created_at, j.id`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    annotatorId: (r.annotator_id as string | null) ?? null,
    externalRaterId: (r.external_rater_id as string | null) ?? null,
    externalPseudonym: (r.external_pseudonym as string | null) ?? null,
    value: json(r.value) as number | string,
    rationale: (r.rationale as string | null) ?? null,
    itemVersion: Number(r.item_version),
    source: r.source as "app" | "import",
    timeTakenMs: numOrNull(r.time_taken_ms),
    editCount: Number(r.edit_count),
    excluded: Boolean(r.excluded),
    createdAt: iso(r.created_at as string | Date)!,
    updatedAt: iso(r.updated_at as string | Date)!,
  }));
}

export type ItemInclusion = {
  runId: string;
  runAt: string;
  round: number;
  kind: string;
  itemVersion: number;
  group: string | null;
  tail: number | null;
  /** Probability of the routing draw, the seeded uniform u, and whether u < π (drawn). */
  routePi: number;
  u: number | null;
  drawn: boolean;
  priorPi: number | null;
  inSample: boolean;
  /** π of the sample the report weights by (routing draw ∪ prior labels). */
  pi: number;
  reason: string | null;
};

/** The item's record in every routing run of its campaign, newest run first. */
export async function itemInclusion(db: Db, campaignId: string, itemId: number): Promise<ItemInclusion[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select r.run_id, rr.created_at, rr.round, rr.kind, r.item_version, r."group", r.tail, r.route_pi, r.u, r.routed, r.prior_pi, r.in_sample, r.pi, r.reason
      from inclusion_records r
      join routing_runs rr on rr.id = r.run_id
      where r.item_id = ${itemId} and rr.campaign_id = ${campaignId}
      order by rr.created_at desc, rr.id desc
      limit 200`),
  );
  return rows.map((r) => ({
    runId: String(r.run_id),
    runAt: iso(r.created_at as string | Date)!,
    round: Number(r.round),
    kind: String(r.kind),
    itemVersion: Number(r.item_version),
    group: (r.group as string | null) ?? null,
    tail: numOrNull(r.tail),
    routePi: Number(r.route_pi),
    u: numOrNull(r.u),
    drawn: Boolean(r.routed),
    priorPi: numOrNull(r.prior_pi),
    inSample: Boolean(r.in_sample),
    pi: Number(r.pi),
    reason: (r.reason as string | null) ?? null,
  }));
}

export type ItemVersionRow = {
  version: number;
  contentHash: string;
  input: string;
  output: string;
  outputB: string | null;
  judgeScore: number | string | null;
  judgeConfidence: number | null;
  judgeRationale: string | null;
  goldAnswer: number | string | null;
  supersededByImport: string | null;
  supersededAt: string;
};

/** Content the item had before re-imports changed it, newest first (the current version is the item itself). */
export async function itemVersionHistory(db: Db, campaignId: string, itemId: number): Promise<ItemVersionRow[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select version, content_hash, input, output, output_b, judge_score::text as judge_score, judge_confidence, judge_rationale, gold_answer::text as gold_answer, superseded_by_import, superseded_at
      from item_versions where campaign_id = ${campaignId} and item_id = ${itemId}
      order by version desc`),
  );
  return rows.map((r) => ({
    version: Number(r.version),
    contentHash: String(r.content_hash),
    input: String(r.input),
    output: String(r.output),
    outputB: (r.output_b as string | null) ?? null,
    judgeScore: json(r.judge_score) as number | string | null,
    judgeConfidence: numOrNull(r.judge_confidence),
    judgeRationale: (r.judge_rationale as string | null) ?? null,
    goldAnswer: json(r.gold_answer) as number | string | null,
    supersededByImport: (r.superseded_by_import as string | null) ?? null,
    supersededAt: iso(r.superseded_at as string | Date)!,
  }));
}

export type ItemFlag = {
  id: number;
  userId: string;
  reason: string;
  note: string | null;
  status: "open" | "resolved" | "dismissed";
  resolvedBy: string | null;
  resolvedAt: string | null;
  /** The researcher's note when closing it (kept in the flag.resolve audit event). */
  resolutionNote: string | null;
  createdAt: string;
};

/** The item's flags, open ones first, then newest. */
export async function itemFlags(db: Db, campaignId: string, itemId: number): Promise<ItemFlag[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select f.id, f.user_id, f.reason::text as reason, f.note, f.status::text as status, f.resolved_by, f.resolved_at, f.created_at, n.note as resolution_note
      from flags f
      left join lateral (
        select a.details->>'note' as note from audit_events a
        where a.action = 'flag.resolve' and a.campaign_id = ${campaignId} and a.target_type = 'flag' and a.target_id = f.id::text
        order by a.id desc limit 1
      ) n on f.status <> 'open'
      where f.campaign_id = ${campaignId} and f.item_id = ${itemId}
      order by (f.status = 'open') desc, f.created_at desc, f.id desc`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    userId: String(r.user_id),
    reason: String(r.reason),
    note: (r.note as string | null) ?? null,
    status: r.status as ItemFlag["status"],
    resolvedBy: (r.resolved_by as string | null) ?? null,
    resolvedAt: iso((r.resolved_at as string | Date | null) ?? null),
    resolutionNote: (r.resolution_note as string | null) ?? null,
    createdAt: iso(r.created_at as string | Date)!,
  }));
}
