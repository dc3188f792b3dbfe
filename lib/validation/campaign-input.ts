import { z } from "zod";
import { rubricSchema, routingPolicySchema, type Rubric } from "./campaign";

// What a researcher sends to create or edit a campaign (API JSON and, after flattening, the UI form).
const name = z.string().trim().min(3, "At least 3 characters").max(120);
const slug = z
  .string()
  .trim()
  .min(3)
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Lower-case letters, digits and single hyphens");
const stratificationKey = z
  .string()
  .trim()
  .max(60)
  .regex(/^[A-Za-z0-9_.-]*$/, "Letters, digits, _ . - only")
  .transform((s) => (s === "" ? null : s))
  .nullable();

export const campaignStatusValues = ["draft", "active", "paused", "closed"] as const;
export type CampaignStatus = (typeof campaignStatusValues)[number];
export const tailMethodValues = ["provided", "group", "embedding", "text"] as const;

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

export const campaignCreateSchema = z
  .object({
    name,
    slug: slug.optional(),
    description: z.string().max(2000).default(""),
    guidelines: z.string().max(50_000).default(""),
    rubric: rubricSchema,
    k: z.number().int().min(1).max(50).default(3),
    stratificationKey: stratificationKey.optional(),
    tailMethod: z.enum(tailMethodValues).optional(),
    routingPolicy: routingPolicySchema.optional(),
    visibility: z.enum(["public", "invite"]).default("public"),
    goldRate: goldRate.default(0),
    leaseMinutes: leaseMinutes.default(10),
    consensus: consensus.default(null),
    allowedImageHosts: allowedImageHosts.default([]),
  })
  .superRefine(consensusFitsRubric);
export type CampaignCreateInput = z.infer<typeof campaignCreateSchema>;

export const campaignUpdateSchema = z
  .object({
    name,
    description: z.string().max(2000),
    guidelines: z.string().max(50_000),
    rubric: rubricSchema,
    k: z.number().int().min(1).max(50),
    stratificationKey,
    tailMethod: z.enum(tailMethodValues),
    routingPolicy: routingPolicySchema,
    visibility: z.enum(["public", "invite"]),
    status: z.enum(campaignStatusValues),
    goldRate,
    leaseMinutes,
    consensus,
    allowedImageHosts,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: "Nothing to change" })
  // Only when the patch carries both; against the stored rubric or consensus, updateCampaign checks.
  .superRefine(consensusFitsRubric);
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
