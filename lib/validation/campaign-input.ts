import { z } from "zod";
import { rubricSchema, routingPolicySchema } from "./campaign";

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

export const campaignCreateSchema = z.object({
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
});
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
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: "Nothing to change" });
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
