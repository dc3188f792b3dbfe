import { countItems, itemsPage } from "@/db/queries/exports";
import type { ExportKind, Row } from "../types";

// (a) Items with the AI judge's verdict and the routing design: what was scored, how rare it is, whether and
// why it went to people, and with which inclusion probability π.
export const itemsExport: ExportKind = {
  name: "items",
  title: "Items with judge verdicts and routing",
  columns: [
    { name: "external_id", type: "string", description: "Item id given at import (unique per campaign)" },
    { name: "input", type: "string", description: "Prompt or input shown to raters" },
    { name: "output", type: "string", description: "Model output rated" },
    { name: "output_b", type: "string", description: "Second output (pairwise rubrics)" },
    { name: "model", type: "string", description: "Model named at import" },
    { name: "group", type: "string", description: "Value of the campaign's stratification key" },
    { name: "metadata", type: "json", description: "Item metadata as imported (JSON)" },
    { name: "judge_score", type: "json", description: "AI judge's score on the rubric's scale" },
    { name: "judge_confidence", type: "double", description: "AI judge's confidence (0..1)" },
    { name: "judge_rationale", type: "string", description: "AI judge's rationale" },
    { name: "tail_score", type: "double", description: "Rarity computed by the latest routing run (0..1, higher is rarer)" },
    { name: "routed", type: "boolean", description: "Sent to human raters" },
    { name: "route_reason", type: "string", description: "low_confidence | tail | control | prior_labels | gold" },
    { name: "inclusion_prob", type: "double", description: "Inclusion probability π of the latest routing run's design" },
    { name: "provided_tail_score", type: "double", description: "Tail score given at import (never overwritten by routing)" },
    { name: "version", type: "int32", description: "Current content version (bumped when a re-import changed input, output or judge verdict)" },
    { name: "content_hash", type: "string", description: "md5 of the current version's content" },
    { name: "gold", type: "boolean", description: "Gold item (a check on contributors, outside every estimate)" },
    { name: "gold_answer", type: "json", description: "The gold answer" },
    { name: "label_pi", type: "double", description: "Inclusion probability of the imported labels (empty: a census)" },
  ],
  count: (ctx) => countItems(ctx.db, ctx.campaign.id),
  async *batches(ctx) {
    let after = 0;
    for (;;) {
      const page = await itemsPage(ctx.db, ctx.campaign.id, after, ctx.batchSize);
      if (page.length === 0) return;
      after = page[page.length - 1]!.id;
      yield page.map(
        (r): Row => [
          r.externalId,
          r.input,
          r.output,
          r.outputB,
          r.model,
          r.group,
          r.metadata,
          r.judgeScore as Row[number],
          r.judgeConfidence,
          r.judgeRationale,
          r.tailScore,
          r.routed,
          r.routeReason,
          r.inclusionProb,
          r.providedTailScore,
          r.version,
          r.contentHash,
          r.goldAnswer !== null,
          r.goldAnswer as Row[number],
          r.labelPi,
        ],
      );
      if (page.length < ctx.batchSize) return;
    }
  },
};
