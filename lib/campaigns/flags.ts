import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { flags, type Flag } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";

export const flagDecisionValues = ["resolved", "dismissed"] as const;
export type FlagDecision = (typeof flagDecisionValues)[number];

/** What a researcher sends to close a flag (API JSON and the contributors page form). */
export const flagDecisionSchema = z.object({
  status: z.enum(flagDecisionValues, { error: "Choose resolved or dismissed" }),
  note: z
    .string()
    .trim()
    .max(500, "At most 500 characters")
    .optional()
    .transform((s) => (s ? s : null)),
});
export type FlagDecisionInput = z.infer<typeof flagDecisionSchema>;

/**
 * A researcher closes an open flag: resolved (the item was dealt with) or dismissed (nothing to do). The caller
 * has checked `campaign:edit` on `campaignId`; a flag of another campaign is not found. Closing a flag the way it
 * is already closed (resolving a resolved flag, e.g. a second click or two researchers at once) is a no-op that
 * answers the flag as it is, with no second audit event; changing a closed flag's outcome is a conflict.
 * The flags table has no column for the researcher's note, so it lives in the audit event.
 */
export async function closeFlag(
  db: Db,
  campaignId: string,
  flagId: number,
  input: FlagDecisionInput,
  who: { actorId: string; ip?: string | null },
): Promise<Flag> {
  return db.transaction(async (tx) => {
    // One conditional update: of two researchers closing the same flag at once, exactly one wins.
    const [closed] = await tx
      .update(flags)
      .set({ status: input.status, resolvedBy: who.actorId, resolvedAt: sql`now()` })
      .where(and(eq(flags.id, flagId), eq(flags.campaignId, campaignId), eq(flags.status, "open")))
      .returning();
    if (!closed) {
      const [existing] = await tx
        .select()
        .from(flags)
        .where(and(eq(flags.id, flagId), eq(flags.campaignId, campaignId)));
      if (!existing) throw new AppError("not_found", "Flag not found");
      if (existing.status === input.status) return existing;
      throw new AppError("conflict", `This flag is already ${existing.status}`, { field: "status" });
    }
    await recordAudit(tx, {
      actorId: who.actorId,
      action: "flag.resolve",
      targetType: "flag",
      targetId: String(closed.id),
      campaignId,
      ip: who.ip,
      details: { status: input.status, note: input.note, itemId: closed.itemId, reason: closed.reason },
    });
    return closed;
  });
}
