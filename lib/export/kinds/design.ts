import { countDesign, designPage } from "@/db/queries/exports";
import { designRun } from "@/db/queries/report";
import type { ExportKind, Row } from "../types";

// (d) The sampling design a report used: one row per inclusion record of its routing run (every non-gold item the
// run considered), with the item's judge score as of the recorded version. With the judgments, this is all an
// auditor needs to recompute the report (scripts/reproduce-report.py).
export const designExport: ExportKind = {
  name: "design",
  title: "Sampling design: the inclusion records of the report's routing run",
  columns: [
    { name: "run_id", type: "string", description: "Routing run whose design this is" },
    { name: "external_id", type: "string", description: "Item id given at import" },
    { name: "item_version", type: "int32", description: "Item content version the run considered" },
    { name: "group", type: "string", description: "Value of the stratification key, as of the run" },
    { name: "tail_score", type: "double", description: "Tail score computed by the run (0..1)" },
    { name: "route_pi", type: "double", description: "Inclusion probability of the routing draw" },
    { name: "u", type: "double", description: "The seeded uniform draw (routed ⇔ u < route_pi); empty for records from before draws were kept" },
    { name: "routed", type: "boolean", description: "Routed to people" },
    { name: "prior_pi", type: "double", description: "Inclusion probability of imported prior labels (1: census); empty without prior labels" },
    { name: "in_sample", type: "boolean", description: "In the labelled sample: routed or holding prior labels" },
    { name: "pi", type: "double", description: "Inclusion probability in the sample, 1 − (1 − route_pi)(1 − prior_pi): every estimate weights by 1/pi" },
    { name: "reason", type: "string", description: "low_confidence | tail | control | prior_labels | active | escalate (empty when not in the sample)" },
    { name: "judge_score", type: "json", description: "The AI judge's score on that item version" },
    { name: "judge_confidence", type: "double", description: "The AI judge's confidence as the run recorded it (trust certificates); empty when none or not recorded" },
  ],
  count: async (ctx) => {
    const runId = ctx.report?.run ?? (await designRun(ctx.db, ctx.campaign.id))?.id;
    return runId ? countDesign(ctx.db, runId) : 0;
  },
  async *batches(ctx) {
    const runId = ctx.report?.run ?? (await designRun(ctx.db, ctx.campaign.id))?.id;
    if (!runId) return;
    let after = 0;
    for (;;) {
      const page = await designPage(ctx.db, ctx.campaign.id, runId, after, ctx.batchSize);
      if (page.length === 0) return;
      after = page[page.length - 1]!.itemId;
      yield page.map((r): Row => [runId, r.externalId, r.itemVersion, r.group, r.tail, r.routePi, r.u, r.routed, r.priorPi, r.inSample, r.pi, r.reason, r.judgeScore as Row[number], r.confidence]);
      if (page.length < ctx.batchSize) return;
    }
  },
};
