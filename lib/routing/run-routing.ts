import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { lockCampaignImports } from "@/db/queries/ingest";
import { allowLongStatements } from "@/db/timeouts";
import { importStamp, insertInclusionRecords, refreshGroups, routingRows, writeRouting, type RoutingRow } from "@/db/queries/routing";
import { campaigns, routingRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { hash53 } from "@/lib/random";
import { computeTailScoresOffThread } from "@/lib/tail/off-thread";
import { routeItems, sampleDesign } from "./route-items";

export type RoutingProgress = { phase: "loading" | "scoring" | "routing" | "writing" | "done"; done: number; total: number };
export type RoutingSummary = { runId: string; seed: string; itemsTotal: number; itemsRouted: number; byReason: Record<string, number> };

const WRITE_BATCH = 5000;

/**
 * Score every item of a campaign by its tail method, route them with the campaign's policy and store tail score,
 * routed, π, reason and priority, plus a routing_runs row with the seed. The campaign keeps its seed across runs
 * (a new one is drawn only the first time), so re-routing after a policy change moves only the items whose
 * decision the policy changes; judgments are never touched. The run writes one inclusion record per item it
 * considered (insert only): the items' routing columns mirror the latest run for the assignment hot path, while
 * reports read the records of the run they name, so a later run never changes what an earlier report used.
 */
export async function runRouting(
  db: Db,
  campaignId: string,
  opts: { actorId: string | null; seed?: string; onProgress?: (p: RoutingProgress) => void } = { actorId: null },
): Promise<RoutingSummary> {
  // Items are read before the write transaction (scoring a large campaign takes seconds). An import that commits in
  // between would leave the run's records naming versions and items that are no longer the campaign's: the write
  // checks, under the import lock, that no import happened since the read, and the run starts over if one did.
  for (let attempt = 1; ; attempt++) {
    try {
      return await routeOnce(db, campaignId, opts);
    } catch (e) {
      if (!(e instanceof ItemsChangedDuringRouting) || attempt >= 3) throw e;
    }
  }
}

class ItemsChangedDuringRouting extends Error {
  constructor() {
    super("The campaign's items changed while it was being routed (an import committed); route again.");
  }
}

async function routeOnce(
  db: Db,
  campaignId: string,
  opts: { actorId: string | null; seed?: string; onProgress?: (p: RoutingProgress) => void },
): Promise<RoutingSummary> {
  const progress = opts.onProgress ?? (() => {});
  const stamp = await importStamp(db, campaignId);
  const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
  if (!campaign) throw new Error(`campaign ${campaignId} not found`);
  const seed = opts.seed ?? campaign.routingSeed ?? randomBytes(8).toString("hex");
  await refreshGroups(db, campaignId, campaign.stratificationKey);

  progress({ phase: "loading", done: 0, total: 0 });
  const all: RoutingRow[] = [];
  const need = { text: campaign.tailMethod === "text", embedding: campaign.tailMethod === "embedding" };
  for await (const page of routingRows(db, campaignId, need)) {
    all.push(...page);
    progress({ phase: "loading", done: all.length, total: 0 });
  }
  // Gold items are checks on people, not sample: no tail score, no π, no inclusion record (route reason 'gold').
  const rows = all.filter((r) => !r.gold);
  const gold = all.filter((r) => r.gold);
  const total = rows.length;
  progress({ phase: "scoring", done: 0, total });
  const { scores: tails } = await computeTailScoresOffThread(
    campaign.tailMethod,
    rows.map((r) => ({ group: r.group, provided: r.tail, text: r.text, embedding: r.embedding })),
    hash53(seed) % 2 ** 31,
  );
  progress({ phase: "routing", done: 0, total });
  const decisions = routeItems(
    rows.map((r, i) => ({ key: r.externalId, confidence: r.confidence, tail: tails[i] ?? null })),
    campaign.routingPolicy,
    seed,
  );
  const designs = decisions.map((d, i) => sampleDesign(d, rows[i]!.priorPi, rows[i]!.hasPrior));
  const byReason: Record<string, number> = {};
  let routed = 0;
  let inSample = 0;
  for (const [i, d] of decisions.entries()) {
    if (d.routed) routed++;
    const s = designs[i]!;
    if (!s.inSample) continue;
    inSample++;
    byReason[s.reason!] = (byReason[s.reason!] ?? 0) + 1;
  }

  const runId = await db.transaction(async (tx) => {
    // A bounded bulk write that queues behind an import's write on purpose: longer limits than a request's.
    await allowLongStatements(tx, { lockWait: true });
    await lockCampaignImports(tx, campaignId);
    if ((await importStamp(tx, campaignId)) !== stamp) throw new ItemsChangedDuringRouting();
    const [run] = await tx
      .insert(routingRuns)
      .values({ campaignId, userId: opts.actorId, seed, policy: campaign.routingPolicy, policyVersion: campaign.routingPolicyVersion, itemsTotal: total, itemsRouted: routed })
      .returning({ id: routingRuns.id });
    for (let s = 0; s < total; s += WRITE_BATCH) {
      const slice = rows.slice(s, s + WRITE_BATCH);
      await writeRouting(
        tx,
        campaignId,
        slice.map((r, j) => {
          const d = decisions[s + j]!;
          const design = designs[s + j]!;
          return { id: r.id, tail: tails[s + j] ?? null, routed: d.routed, pi: design.inSample ? design.pi : d.pi, reason: design.reason, priority: d.priority };
        }),
      );
      await insertInclusionRecords(
        tx,
        run!.id,
        slice.map((r, j) => {
          const d = decisions[s + j]!;
          const design = designs[s + j]!;
          return { item: r.id, version: r.version, group: r.group, tail: tails[s + j] ?? null, judged: r.judged, routePi: d.pi, u: d.u, routed: d.routed, priorPi: r.hasPrior || (r.priorPi ?? 0) > 0 ? r.priorPi : null, inSample: design.inSample, pi: design.pi, reason: design.reason };
        }),
      );
      progress({ phase: "writing", done: Math.min(total, s + WRITE_BATCH), total });
    }
    for (let s = 0; s < gold.length; s += WRITE_BATCH) {
      await writeRouting(tx, campaignId, gold.slice(s, s + WRITE_BATCH).map((r) => ({ id: r.id, tail: null, routed: false, pi: null, reason: "gold", priority: 0 })));
    }
    await tx.update(campaigns).set({ routingSeed: seed }).where(eq(campaigns.id, campaignId));
    await recordAudit(tx, {
      actorId: opts.actorId,
      action: "routing.run",
      targetType: "routing_run",
      targetId: run!.id,
      campaignId,
      details: { seed, tailMethod: campaign.tailMethod, policy: campaign.routingPolicy, policyVersion: campaign.routingPolicyVersion, itemsTotal: total, itemsRouted: routed, itemsInSample: inSample, goldItems: gold.length, byReason },
    });
    return run!.id;
  });
  progress({ phase: "done", done: total, total });
  return { runId, seed, itemsTotal: total, itemsRouted: routed, byReason };
}
