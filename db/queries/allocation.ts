import { sql } from "drizzle-orm";
import { rowsOf, type Db } from "../client";

export type ConfidenceProfile = { bucket: number | null; group: string | null; c: number | null; n: number }[];

/**
 * A run's population by (tail bucket, group, judge confidence in hundredths), from its inclusion records: how many
 * items a trust threshold covers, without reading every item into the report.
 */
export async function confidenceProfile(db: Db, runId: string, cuts: readonly number[]): Promise<ConfidenceProfile> {
  const thresholds = sql`array[${sql.join(cuts.map((c) => sql`${c}::float8`), sql`, `)}]::float8[]`;
  const rows = rowsOf<{ bucket: number | null; group: string | null; c: number | null; n: number }>(
    await db.execute(sql`
      select width_bucket(tail, ${thresholds}) as bucket, "group", floor(confidence * 100 + 1e-9)::int as c, count(*)::int as n
      from inclusion_records where run_id = ${runId}
      group by 1, 2, 3`),
  );
  return rows.map((r) => ({ bucket: r.bucket === null ? null : Number(r.bucket), group: r.group, c: r.c === null ? null : Number(r.c), n: Number(r.n) }));
}

export type SequenceRun = { runId: string; round: number; kind: string; at: string; expected: number };

/**
 * The rounds a run ends: the run and the runs before it, back to its round 1 (each round follows the run just
 * before it). A run of round 1 is a sequence of one.
 */
export async function roundSequence(db: Db, campaignId: string, runId: string): Promise<SequenceRun[]> {
  const [last] = rowsOf<{ round: number; created_at: string | Date }>(
    await db.execute(sql`select round, created_at from routing_runs where id = ${runId} and campaign_id = ${campaignId}`),
  );
  if (!last) return [];
  const rows = rowsOf<{ id: string; round: number; kind: string; created_at: string | Date; expected: number | string | null }>(
    await db.execute(sql`select id, round, kind, created_at, (details ->> 'expected')::float8 as expected from routing_runs
      where campaign_id = ${campaignId} and (created_at, id) <= (select created_at, id from routing_runs where id = ${runId})
      order by created_at desc, id desc limit ${last.round}`),
  );
  const out: SequenceRun[] = [];
  for (const r of rows) {
    const want = last.round - out.length;
    if (r.round !== want) break;
    out.push({ runId: r.id, round: r.round, kind: r.kind, at: new Date(r.created_at).toISOString(), expected: r.expected === null ? 0 : Number(r.expected) });
  }
  return out.reverse();
}

/**
 * The rounds' draws over the last run's population: per item (bucket and group as the last run saw them) and per
 * round, π of that round's draw and whether it drew the item. Round 1 is read as its sample design (pi, in_sample:
 * the rules' draw joined with any prior labels); later rounds as their own draw (route_pi, routed).
 */
export async function roundDraws(db: Db, runs: readonly SequenceRun[], cuts: readonly number[]) {
  const last = runs.at(-1)!;
  const thresholds = sql`array[${sql.join(cuts.map((c) => sql`${c}::float8`), sql`, `)}]::float8[]`;
  const population = rowsOf<{ item_id: number | string; bucket: number | null; group: string | null }>(
    await db.execute(sql`select item_id, width_bucket(tail, ${thresholds}) as bucket, "group" from inclusion_records where run_id = ${last.runId} order by item_id`),
  );
  const items = population.map((r) => ({ itemId: Number(r.item_id), bucket: r.bucket === null ? null : Number(r.bucket), group: r.group }));
  const at = new Map(items.map((it, i) => [it.itemId, i]));
  const draws: { pi: Float64Array; drawn: Uint8Array }[] = [];
  for (const [t, run] of runs.entries()) {
    const pi = new Float64Array(items.length);
    const drawn = new Uint8Array(items.length);
    const rows = rowsOf<{ item_id: number | string; pi: number; drawn: boolean }>(
      await db.execute(
        t === 0
          ? sql`select item_id, pi, in_sample as drawn from inclusion_records where run_id = ${run.runId}`
          : sql`select item_id, route_pi as pi, routed as drawn from inclusion_records where run_id = ${run.runId}`,
      ),
    );
    // Items a round never saw (imported later) have π = 0 there: that round says nothing about them.
    for (const r of rows) {
      const i = at.get(Number(r.item_id));
      if (i === undefined) continue;
      pi[i] = Number(r.pi);
      drawn[i] = r.drawn ? 1 : 0;
    }
    draws.push({ pi, drawn });
  }
  return { items, draws };
}
