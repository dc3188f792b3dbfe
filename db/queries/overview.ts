import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { imports, items } from "../schema";

/** Counts per tenth of [0, 1] (the last bucket includes 1), plus how many items have no value. */
export async function histogram(db: Db, campaignId: string, column: "tail_score" | "judge_confidence"): Promise<{ counts: number[]; missing: number }> {
  const col = sql.raw(column);
  const rows = await db
    .select({ b: sql<number | null>`least(width_bucket(${col}, 0, 1, 10), 10)`, n: sql<number>`count(*)::int` })
    .from(items)
    .where(eq(items.campaignId, campaignId))
    .groupBy(sql`1`);
  const counts = new Array<number>(10).fill(0);
  let missing = 0;
  for (const r of rows) {
    if (r.b === null) missing += r.n;
    else counts[Math.max(1, Number(r.b)) - 1]! += r.n;
  }
  return { counts, missing };
}

/** Routed items by how many judgments they have (0 … k, the last bar is "k or more"). */
export async function judgmentDepth(db: Db, campaignId: string, k: number): Promise<number[]> {
  const rows = await db
    .select({ j: sql<number>`least(${items.judgmentCount}, ${k})`, n: sql<number>`count(*)::int` })
    .from(items)
    .where(and(eq(items.campaignId, campaignId), eq(items.routed, true)))
    .groupBy(sql`1`);
  const out = new Array<number>(k + 1).fill(0);
  for (const r of rows) out[Number(r.j)] = r.n;
  return out;
}

export async function recentImports(db: Db, campaignId: string, limit = 10) {
  return db
    .select({ id: imports.id, filename: imports.filename, format: imports.format, status: imports.status, rowsTotal: imports.rowsTotal, rowsNew: imports.rowsNew, rowsUpdated: imports.rowsUpdated, rowsRejected: imports.rowsRejected, createdAt: imports.createdAt })
    .from(imports)
    .where(eq(imports.campaignId, campaignId))
    .orderBy(sql`${imports.createdAt} desc`)
    .limit(limit);
}
