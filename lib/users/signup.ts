import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { hashPassword } from "@/lib/auth/password";
import { LIMITS, hitRateLimit } from "@/lib/auth/rate-limit";
import { claimInvites } from "@/lib/campaigns/invites";
import { AppError } from "@/lib/errors";

const languageCode = z.string().trim().toLowerCase().regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})?$/, "Use language codes such as en, sw, pt-br");

export const signUpSchema = z.object({
  name: z.string().trim().min(1, "Enter your name").max(100, "At most 100 characters"),
  email: z.string().trim().toLowerCase().max(254).pipe(z.email("Enter a valid email address")),
  password: z.string().min(10, "At least 10 characters").max(200, "At most 200 characters"),
  languages: z
    .string()
    .max(200)
    .optional()
    .transform((s) => (s ?? "").split(/[\s,]+/).filter(Boolean))
    .pipe(z.array(languageCode).max(20, "At most 20 languages")),
  region: z.string().trim().max(100).optional().transform((s) => s || null),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/**
 * Community sign-up: anyone may create a contributor account. A taken email is refused with a message that
 * does not say more than the sign-in form would (it only says "cannot create"), and attempts are limited per IP.
 */
export async function signUp(db: Db, input: SignUpInput, ctx: { ip?: string | null; now?: Date } = {}): Promise<{ id: string }> {
  const limit = await hitRateLimit(db, `signup:ip:${ctx.ip ?? "unknown"}`, LIMITS.signUpPerIp, ctx.now);
  if (!limit.allowed) throw new AppError("rate_limited", `Too many sign-ups from your network. Try again in ${Math.ceil(limit.retryAfterSeconds / 60)} minutes.`);
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.email));
    if (taken) throw new AppError("conflict", "An account cannot be created with this email. If it is yours, sign in instead.", { field: "email" });
    const [user] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash, role: "contributor", languages: input.languages, region: input.region })
      .returning({ id: users.id });
    await recordAudit(tx, { actorId: user!.id, action: "user.signup", targetType: "user", targetId: user!.id, ip: ctx.ip, details: { languages: input.languages, region: input.region } });
    await claimInvites(tx, user!.id, input.email);
    return { id: user!.id };
  });
}
