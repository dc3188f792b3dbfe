import { z } from "zod";
import { rubricSchema, routingPolicySchema, type Rubric, type RoutingPolicy } from "./campaign";

// What a researcher sends to create or edit a campaign (API JSON and, after flattening, the UI form).
const name = z.string({ error: "Give the campaign a name" }).trim().min(3, "The name needs at least 3 characters").max(120, "The name has at most 120 characters");
const slug = z
  .string()
  .trim()
  .min(3, "The address needs at least 3 characters")
  .max(60, "The address has at most 60 characters")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lower-case letters, digits and single hyphens only");
const stratificationKey = z
  .string()
  .trim()
  .max(60, "The stratification key has at most 60 characters")
  .regex(/^[A-Za-z0-9_.-]*$/, "Use letters, digits, _ . - only (the name of a metadata field)")
  .transform((s) => (s === "" ? null : s))
  .nullable();

const description = z.string().max(2000, "The description has at most 2,000 characters");
const guidelines = z.string().max(50_000, "The guidelines have at most 50,000 characters");
const k = z.number({ error: "Ratings per item (k) must be a whole number from 1 to 50" }).int("Ratings per item (k) must be a whole number from 1 to 50").min(1, "Ratings per item (k) must be a whole number from 1 to 50").max(50, "Ratings per item (k) must be a whole number from 1 to 50");
const visibility = z.enum(["public", "invite"], { error: "Choose public or invite-only" });

export const campaignStatusValues = ["draft", "active", "paused", "closed"] as const;
export type CampaignStatus = (typeof campaignStatusValues)[number];
export const tailMethodValues = ["provided", "group", "embedding", "text"] as const;
const tailMethod = z.enum(tailMethodValues, { error: "Choose a tail-score method from the list" });

// How the report forms the human consensus per item; null means the rubric's default (median on likert, else majority).
export const consensusValues = ["median", "majority", "mean", "dawid_skene"] as const;
export type ConsensusMethod = (typeof consensusValues)[number];
const consensus = z.enum(consensusValues, { error: "Choose median, majority, mean or dawid_skene (or null for the rubric's default)" }).nullable();
// Share of assignments drawn from gold items (known answers), 0..1; the form shows it as a percentage.
const goldRate = z.number({ error: "Enter a number" }).min(0, "Between 0 % and 100 %").max(1, "Between 0 % and 100 %");
// How long a leased item stays reserved for one contributor.
const leaseMinutes = z.number({ error: "Enter a number" }).int("Whole minutes").min(1, "Between 1 and 1440 minutes (24 h)").max(1440, "Between 1 and 1440 minutes (24 h)");

// Hosts whose https images the campaign's outputs and guidelines may show (every other remote image stays a link):
// exact DNS names, no wildcards, no IP addresses or single-label names (an intranet host is not a content host).
export const MAX_IMAGE_HOSTS = 20;
const hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, "A host name has at most 253 characters")
  .refine((h) => /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(h), {
    error: (issue) => `“${String(issue.input).slice(0, 80)}” is not a host name: use names like images.example.org (no scheme, path, port, wildcard or IP address)`,
  });
const allowedImageHosts = z
  .array(hostname)
  .max(MAX_IMAGE_HOSTS, `At most ${MAX_IMAGE_HOSTS} image hosts`)
  .transform((hosts) => [...new Set(hosts)]);

// Adaptive k: an item stops after kMin ratings that agree and collects up to k when they do not (null: fixed k).
const kMin = z
  .number({ error: "Enter a whole number, or leave it empty for a fixed k" })
  .int("A whole number of ratings")
  .min(1, "At least 1 rating")
  .max(50, "At most 50 ratings")
  .nullable();
// Likert only: ratings at most this many points apart agree (0: only equal ratings agree).
const agreeDistance = z.number({ error: "Enter a number" }).min(0, "0 or more points").max(20, "At most 20 points");

export const kMinAboveK = (kMin: number, k: number) =>
  `k_min (${kMin}) must be at most k (${k}): an item cannot stop early after more ratings than the most it collects`;
export const AGREE_DISTANCE_LIKERT_ONLY = "The agree distance applies to Likert scales only; on other scales ratings agree when they are equal (use 0)";

/**
 * Why a consensus method does not fit a rubric, or null when it does. A mean needs an interval scale (likert);
 * a median needs an ordered one (likert, or binary's 0 < 1); majority vote and Dawid–Skene work on any scale.
 */
export function consensusMismatch(method: ConsensusMethod | null | undefined, rubric: Rubric): string | null {
  if (method === "mean" && rubric.type !== "likert") return "Mean needs an interval scale: it is only available on a Likert rubric.";
  if (method === "median" && rubric.type !== "likert" && rubric.type !== "binary") {
    return "Median needs an ordered scale: it is only available on a Likert or binary rubric.";
  }
  return null;
}

const consensusFitsRubric = (v: { consensus?: ConsensusMethod | null; rubric?: Rubric }, ctx: z.RefinementCtx) => {
  const problem = v.rubric ? consensusMismatch(v.consensus, v.rubric) : null;
  if (problem) ctx.addIssue({ code: "custom", path: ["consensus"], message: problem });
};

// Adaptive k, within one body (against stored values, updateCampaign checks): k_min ≤ k, agree distance on likert.
const adaptiveKFits = (v: { k?: number; kMin?: number | null; agreeDistance?: number; rubric?: Rubric }, ctx: z.RefinementCtx) => {
  if (v.kMin != null && v.k !== undefined && v.kMin > v.k) ctx.addIssue({ code: "custom", path: ["kMin"], message: kMinAboveK(v.kMin, v.k) });
  if (v.agreeDistance !== undefined && v.agreeDistance > 0 && v.rubric && v.rubric.type !== "likert") {
    ctx.addIssue({ code: "custom", path: ["agreeDistance"], message: AGREE_DISTANCE_LIKERT_ONLY });
  }
};

/**
 * What a routing policy asks of a campaign's current pool of routable (non-gold) items, as field → message: a
 * budget larger than the pool, or (active) a floor π_min that alone would draw more than the budget. Checked by
 * updateCampaign when the policy changes and items exist (a new campaign has no pool to measure yet).
 */
export function routingPolicyPoolProblems(policy: RoutingPolicy, pool: number): Record<string, string> {
  const out: Record<string, string> = {};
  if (pool <= 0) return out;
  const { budget, piMin } = policy;
  if (budget !== undefined && budget > pool) {
    out["routingPolicy.budget"] = `The budget (${budget}) is larger than the pool: this campaign has ${pool} item(s) that can be routed (non-gold). Use at most ${pool}.`;
  }
  if (policy.kind === "active" && budget !== undefined && piMin !== undefined && piMin * pool > budget) {
    const floor = Math.round(piMin * pool * 100) / 100;
    const most = Math.floor((budget / pool) * 10_000) / 10_000;
    out["routingPolicy.piMin"] =
      `Impossible: π_min × pool = ${piMin} × ${pool} = ${floor} items, more than the budget of ${budget}; the floor alone would exceed the budget. Lower π_min to at most ${most} or raise the budget.`;
  }
  return out;
}

/** Two routing policies mean the same (key order and an absent kind — "rules" — do not matter). */
export function samePolicy(a: RoutingPolicy, b: RoutingPolicy): boolean {
  return stableJson({ ...a, kind: a.kind ?? "rules" }) === stableJson({ ...b, kind: b.kind ?? "rules" });
}

/** JSON with object keys sorted (jsonb returns keys in its own order, so a plain JSON.stringify compare misleads). */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x,
  );
}

export const campaignCreateSchema = z
  .object({
    name,
    slug: slug.optional(),
    description: description.default(""),
    guidelines: guidelines.default(""),
    rubric: rubricSchema,
    k: k.default(3),
    kMin: kMin.default(null),
    agreeDistance: agreeDistance.default(0),
    stratificationKey: stratificationKey.optional(),
    tailMethod: tailMethod.optional(),
    routingPolicy: routingPolicySchema.optional(),
    visibility: visibility.default("public"),
    goldRate: goldRate.default(0),
    leaseMinutes: leaseMinutes.default(10),
    consensus: consensus.default(null),
    allowedImageHosts: allowedImageHosts.default([]),
  })
  .superRefine(consensusFitsRubric)
  .superRefine(adaptiveKFits);
export type CampaignCreateInput = z.infer<typeof campaignCreateSchema>;

export const campaignUpdateSchema = z
  .object({
    name,
    description,
    guidelines,
    rubric: rubricSchema,
    k,
    kMin,
    agreeDistance,
    stratificationKey,
    tailMethod,
    routingPolicy: routingPolicySchema,
    visibility,
    status: z.enum(campaignStatusValues),
    goldRate,
    leaseMinutes,
    consensus,
    allowedImageHosts,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: "Nothing to change" })
  // Only when the patch carries both; against the stored rubric or consensus, updateCampaign checks.
  .superRefine(consensusFitsRubric)
  .superRefine(adaptiveKFits);
export type CampaignUpdateInput = z.infer<typeof campaignUpdateSchema>;

// draft → active → paused → closed, with paused ↔ active; closed is final.
const TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ["active", "closed"],
  active: ["paused", "closed"],
  paused: ["active", "closed"],
  closed: [],
};

export function canTransition(from: CampaignStatus, to: CampaignStatus): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

export function allowedNextStatuses(from: CampaignStatus): readonly CampaignStatus[] {
  return TRANSITIONS[from];
}

export function slugify(text: string): string {
  const s = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50)
    .replace(/-+$/g, "");
  return s.length >= 3 ? s : `campaign-${s || "new"}`;
}
