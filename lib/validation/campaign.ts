import { z } from "zod";

// Rubrics: the scale people (and the judge) rate on. Stored as JSON on the campaign.
export const likertRubric = z
  .object({
    type: z.literal("likert"),
    min: z.number({ error: "The lowest point must be a whole number" }).int("The lowest point must be a whole number"),
    max: z.number({ error: "The highest point must be a whole number" }).int("The highest point must be a whole number"),
    labels: z.record(z.string(), z.string().max(80, "A label has at most 80 characters")).optional(),
  })
  .refine((r) => r.max > r.min && r.max - r.min <= 20, { path: ["max"], message: "The highest point must be above the lowest, with at most 21 points on the scale" });

const binaryLabel = z.string().min(1, "Both labels need some text").max(80, "A label has at most 80 characters");
export const binaryRubric = z.object({
  type: z.literal("binary"),
  labels: z.tuple([binaryLabel, binaryLabel]),
});

export const categoricalRubric = z.object({
  type: z.literal("categorical"),
  options: z
    .array(z.string().min(1).max(80, "An option has at most 80 characters"), { error: "Give the options, one per line" })
    .min(2, "Give at least 2 options, one per line")
    .max(20, "At most 20 options"),
});

export const pairwiseRubric = z.object({
  type: z.literal("pairwise"),
  allowTie: z.boolean(),
});

// Discriminated by type, so a mistake inside one scale is reported on its field (a plain union says only "Invalid input").
export const rubricSchema = z.discriminatedUnion("type", [likertRubric, binaryRubric, categoricalRubric, pairwiseRubric], {
  error: "Choose a scale: likert, binary, categorical or pairwise",
});
export type Rubric = z.infer<typeof rubricSchema>;

const between0and1 = (label: string) => {
  const msg = `${label} must be between 0 and 1`;
  return z.number({ error: (i) => (i.input === undefined ? `Enter the ${label.replace(/^\w/, (c) => c.toLowerCase())}: a number between 0 and 1` : `${msg} (for example 0.5)`) }).min(0, msg).max(1, msg);
};
const strictlyBetween0and1 = (label: string) => {
  const msg = `${label} must be between 0 and 1, not 0 or 1 itself`;
  return z.number({ error: msg }).gt(0, msg).lt(1, msg);
};

export const ROUTING_KINDS = ["rules", "active", "escalate"] as const;
export type RoutingKind = (typeof ROUTING_KINDS)[number];

export const routingPolicySchema = z
  .object({
    // rules: the thresholds below. active: π ∝ √(predicted judge error) within a per-round budget, with a floor
    // π_min (lib/allocate). escalate: items below their bucket's trust threshold go to people, the rest at the
    // control rate. The first round of active and escalate, with nothing labelled yet, uses the rules.
    kind: z.enum(ROUTING_KINDS, { error: "Choose a policy: rules, active or escalate" }).optional(),
    // Items whose judge confidence is below this go to people with π = 1.
    confidenceThreshold: between0and1("Confidence threshold c"),
    // Items whose tail score is at least this go to people with π = 1.
    tailThreshold: between0and1("Tail threshold t"),
    // Everything else is sampled at this rate (π = p): the random control sample.
    controlRate: z.number({ error: "Control rate p must be a number above 0 and at most 1" }).gt(0, "Control rate p must be above 0 and at most 1").max(1, "Control rate p must be above 0 and at most 1"),
    // Optional cap on routed items; with it, Poisson sampling with π ∝ priority, capped at 1. Under `active`, the
    // expected number of items drawn per round (required).
    budget: z.number({ error: "Budget must be a whole number of items, 1 or more" }).int("Budget must be a whole number of items, 1 or more").positive("Budget must be a whole number of items, 1 or more").optional(),
    // active: the uniform floor every item keeps, in (0, 1].
    piMin: z.number({ error: "π_min must be a number above 0 and at most 1" }).gt(0, { message: "π_min must be greater than 0" }).max(1, { message: "π_min must be at most 1" }).optional(),
    // Trust certificates (report) and the escalate policy: the agreement rate to certify and the error level δ.
    trustTarget: strictlyBetween0and1("Trust target").optional(),
    trustDelta: strictlyBetween0and1("Error level δ").optional(),
  })
  .superRefine((p, ctx) => {
    if (p.kind === "active" && p.budget === undefined) ctx.addIssue({ code: "custom", path: ["budget"], message: "An active policy needs a per-round budget" });
    if (p.kind === "active" && p.piMin === undefined) ctx.addIssue({ code: "custom", path: ["piMin"], message: "An active policy needs π_min" });
  });
export const DEFAULT_TRUST_TARGET = 0.9;
export const DEFAULT_TRUST_DELTA = 0.1;
export const DEFAULT_PI_MIN = 0.02;
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
