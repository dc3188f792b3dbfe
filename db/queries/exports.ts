import { and, asc, desc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../client";
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
