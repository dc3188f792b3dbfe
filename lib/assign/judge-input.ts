import { z } from "zod";

export const judgmentValue = z.union([z.number().int(), z.string().min(1).max(80)]);
export const rationaleText = z
  .string()
  .max(2000, "Keep the rationale under 2,000 characters")
  .transform((s) => s.trim() || null)
  .nullish();

export const submitJudgmentBody = z.object({
  assignmentId: z.number().int().positive(),
  value: judgmentValue,
  rationale: rationaleText,
});
export const editJudgmentBody = z.object({ value: judgmentValue, rationale: rationaleText });
export const skipBody = z.object({ reason: z.string().max(500).nullish() });
export const flagReasons = ["harmful", "broken", "unclear", "wrong_language", "other"] as const;
export const flagBody = z.object({ reason: z.enum(flagReasons), note: z.string().max(1000).nullish() });
