import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { lockCampaignImports } from "@/db/queries/ingest";
import { allowLongStatements } from "@/db/timeouts";
import { importStamp, insertInclusionRecords, latestRun, previousSample, refreshGroups, routingRows, writeRouting, type RoutingRow } from "@/db/queries/routing";
import { reportJudgments } from "@/db/queries/report";
import { bucketIndex, DECILE_CUTS } from "@/lib/report/params";
import { buildUnits, effectiveConsensus } from "@/lib/report/units";
import { campaigns, routingRuns } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { hash53 } from "@/lib/random";
import { yieldNow } from "@/lib/jobs/slice";
import { computeTailScoresOffThread } from "@/lib/tail/off-thread";
import { routeItems, sampleDesign } from "./route-items";
import { designRound, type RoundDetails } from "./rounds";

export type RoutingProgress = { phase: "loading" | "scoring" | "routing" | "writing" | "done"; done: number; total: number };
export type RoutingSummary = { runId: string; seed: string; itemsTotal: number; itemsRouted: number; byReason: Record<string, number>; round: number; kind: "rules" | "active" | "escalate" };

type Decision = { routePi: number; u: number; drawn: boolean; routed: boolean; inSample: boolean; pi: number; reason: string | null; priority: number };

const WRITE_BATCH = 5000;
// Sliced runs (the embedded database, where the run shares the app's event loop and PGlite executes each statement
// synchronously): small pages and write batches, with a turn for the event loop between them, so no single step
// holds the loop for long (measured by `npm run bench -- tail --embedded`).
const SLICED_PAGE = 100;
const SLICED_WRITE_BATCH = 100;

type RoutingOptions = { actorId: string | null; seed?: string; onProgress?: (p: RoutingProgress) => void; sliced?: boolean };

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
  opts: RoutingOptions = { actorId: null },
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
  opts: RoutingOptions,
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
  const pause = opts.sliced ? yieldNow : async () => {};
  const batch = opts.sliced ? SLICED_WRITE_BATCH : WRITE_BATCH;
  for await (const page of routingRows(db, campaignId, need, opts.sliced ? SLICED_PAGE : undefined)) {
    for (const row of page) all.push(row);
    progress({ phase: "loading", done: all.length, total: 0 });
    await pause();
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
  const policy = campaign.routingPolicy;
  const wanted = policy.kind ?? "rules";
  // A round follows the latest run when the policy is active or escalate and the earlier rounds left labels to
  // learn from; otherwise (first run, rules, nothing labelled yet) the run is round 1 under the rules.
  const prev = wanted === "rules" ? null : await latestRun(db, campaignId);
  let decisions: Decision[] | null = null;
  let round = 1;
  let kind: RoutingSummary["kind"] = "rules";
  let details: RoundDetails | Record<string, unknown> = {};
  if (prev && wanted !== "rules") {
    const previous = await previousSample(db, prev.id);
    const consensus = effectiveConsensus(campaign.rubric, campaign.consensus ?? null);
    const { labelled } = await reportJudgments(db, campaignId, prev.id, { raters: consensus === "dawid_skene" });
    const { units } = buildUnits(labelled, campaign.rubric, DECILE_CUTS, new Map(), consensus);
    const indexOf = new Map(rows.map((r, i) => [r.id, i]));
    const labels = units.flatMap((u) => {
      const index = indexOf.get(u.itemId);
      return index === undefined || u.judge === null ? [] : [{ index, error: u.judge !== u.consensus, pi: u.pi }];
    });
    if (labels.length > 0) {
      round = prev.round + 1;
      kind = wanted;
      const designed = designRound({
        items: rows.map((r, i) => {
          const p = previous.get(r.id);
          return { key: r.externalId, confidence: r.confidence, tail: tails[i] ?? null, group: r.group, bucket: bucketIndex(tails[i] ?? null, DECILE_CUTS), priorPi: r.priorPi, hasPrior: r.hasPrior, wasRouted: r.routed, previous: p ? { reason: p.reason } : null };
        }),
        policy,
        kind: wanted,
        seed,
        round,
        labels,
      });
      decisions = designed.decisions;
      details = designed.details;
    }
  }
  if (decisions === null) {
    const ruled = routeItems(
      rows.map((r, i) => ({ key: r.externalId, confidence: r.confidence, tail: tails[i] ?? null })),
      policy,
      seed,
    );
    decisions = ruled.map((d, i) => {
      const s = sampleDesign(d, rows[i]!.priorPi, rows[i]!.hasPrior);
      return { routePi: d.pi, u: d.u, drawn: d.routed, routed: d.routed, inSample: s.inSample, pi: s.inSample ? s.pi : d.pi, reason: s.reason, priority: d.priority };
    });
    details = { kind: "rules", round: 1, expected: decisions.reduce((sum, d) => sum + (d.inSample ? d.pi : d.routePi), 0) };
  }
  const final: Decision[] = decisions;
  const byReason: Record<string, number> = {};
  let routed = 0;
  let inSample = 0;
  for (const d of final) {
    if (d.routed) routed++;
    if (!d.inSample) continue;
    inSample++;
    byReason[d.reason!] = (byReason[d.reason!] ?? 0) + 1;
  }

  const runId = await db.transaction(async (tx) => {
    // A bounded bulk write that queues behind an import's write on purpose: longer limits than a request's.
    await allowLongStatements(tx, { lockWait: true });
    await lockCampaignImports(tx, campaignId);
    if ((await importStamp(tx, campaignId)) !== stamp) throw new ItemsChangedDuringRouting();
    const [run] = await tx
      .insert(routingRuns)
      .values({ campaignId, userId: opts.actorId, seed, policy: campaign.routingPolicy, policyVersion: campaign.routingPolicyVersion, itemsTotal: total, itemsRouted: routed, round, kind, details })
      .returning({ id: routingRuns.id });
    for (let s = 0; s < total; s += batch) {
      await pause();
      const slice = rows.slice(s, s + batch);
      await writeRouting(
        tx,
        campaignId,
        slice.map((r, j) => {
          const d = final[s + j]!;
          return { id: r.id, tail: tails[s + j] ?? null, routed: d.routed, pi: d.pi, reason: d.reason, priority: d.priority };
        }),
      );
      await insertInclusionRecords(
        tx,
        run!.id,
        slice.map((r, j) => {
          const d = final[s + j]!;
          return { item: r.id, version: r.version, group: r.group, tail: tails[s + j] ?? null, confidence: r.confidence, judged: r.judged, routePi: d.routePi, u: d.u, routed: d.drawn, priorPi: r.hasPrior || (r.priorPi ?? 0) > 0 ? r.priorPi : null, inSample: d.inSample, pi: d.pi, reason: d.reason };
        }),
      );
      progress({ phase: "writing", done: Math.min(total, s + batch), total });
    }
    for (let s = 0; s < gold.length; s += batch) {
      await pause();
      await writeRouting(tx, campaignId, gold.slice(s, s + batch).map((r) => ({ id: r.id, tail: null, routed: false, pi: null, reason: "gold", priority: 0 })));
    }
    await tx.update(campaigns).set({ routingSeed: seed }).where(eq(campaigns.id, campaignId));
    await recordAudit(tx, {
      actorId: opts.actorId,
      action: "routing.run",
      targetType: "routing_run",
      targetId: run!.id,
      campaignId,
      details: { seed, round, kind, tailMethod: campaign.tailMethod, policy: campaign.routingPolicy, policyVersion: campaign.routingPolicyVersion, itemsTotal: total, itemsRouted: routed, itemsInSample: inSample, goldItems: gold.length, byReason },
    });
    return run!.id;
  });
  progress({ phase: "done", done: total, total });
  return { runId, seed, itemsTotal: total, itemsRouted: routed, byReason, round, kind };
}
