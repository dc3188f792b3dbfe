import { z } from "zod";

// Rubrics: the scale people (and the judge) rate on. Stored as JSON on the campaign.
export const likertRubric = z
  .object({
    type: z.literal("likert"),
    min: z.number().int(),
    max: z.number().int(),
    labels: z.record(z.string(), z.string().max(80)).optional(),
  })
  .refine((r) => r.max > r.min && r.max - r.min <= 20, { message: "max must be above min (at most 21 points)" });

export const binaryRubric = z.object({
  type: z.literal("binary"),
  labels: z.tuple([z.string().min(1).max(80), z.string().min(1).max(80)]),
});

export const categoricalRubric = z.object({
  type: z.literal("categorical"),
  options: z.array(z.string().min(1).max(80)).min(2).max(20),
});

export const pairwiseRubric = z.object({
  type: z.literal("pairwise"),
  allowTie: z.boolean(),
});

export const rubricSchema = z.union([likertRubric, binaryRubric, categoricalRubric, pairwiseRubric]);
export type Rubric = z.infer<typeof rubricSchema>;

export const routingPolicySchema = z.object({
  // Items whose judge confidence is below this go to people with π = 1.
  confidenceThreshold: z.number().min(0).max(1),
  // Items whose tail score is at least this go to people with π = 1.
  tailThreshold: z.number().min(0).max(1),
  // Everything else is sampled at this rate (π = p): the random control sample.
  controlRate: z.number().gt(0).max(1),
  // Optional cap on routed items; with it, Poisson sampling with π ∝ priority, capped at 1.
  budget: z.number().int().positive().optional(),
});
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;

export const defaultRoutingPolicy: RoutingPolicy = { confidenceThreshold: 0.6, tailThreshold: 0.8, controlRate: 0.1 };

/** The values a rating may take under a rubric, in display order. */
export function rubricValues(rubric: Rubric): (number | string)[] {
  switch (rubric.type) {
    case "likert":
      return Array.from({ length: rubric.max - rubric.min + 1 }, (_, i) => rubric.min + i);
    case "binary":
      return [0, 1];
    case "categorical":
      return [...rubric.options];
    case "pairwise":
      return rubric.allowTie ? ["A", "B", "tie"] : ["A", "B"];
  }
}

/** Whether `value` is on the rubric's scale (used for judge scores and human ratings alike). */
export function isOnScale(rubric: Rubric, value: unknown): boolean {
  return rubricValues(rubric).some((v) => v === value);
}

export function describeRubric(rubric: Rubric): string {
  switch (rubric.type) {
    case "likert":
      return `Likert ${rubric.min}–${rubric.max}`;
    case "binary":
      return `Binary (${rubric.labels[0]} / ${rubric.labels[1]})`;
    case "categorical":
      return `Categorical (${rubric.options.length} options)`;
    case "pairwise":
      return rubric.allowTie ? "Pairwise A/B with tie" : "Pairwise A/B";
  }
}
