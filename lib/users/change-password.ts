import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { AppError } from "@/lib/errors";
import { signUpSchema } from "./signup";

export const changePasswordSchema = z
  .object({
    current: z.string().max(200).default(""),
    password: signUpSchema.shape.password,
    confirm: z.string().max(200),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two new passwords differ" });

/**
 * Set a new password and end every session the person has (their session version moves on, so a stolen cookie is
 * worthless from the next request); audited. The current password is always required, so a borrowed or stolen
 * session cannot turn itself into a lasting login; an account that signs in only through a provider has no
 * password here to change. The caller signs in again.
 */
export async function changePassword(db: Db, input: { userId: string; current: string; password: string; ip?: string | null }): Promise<void> {
  const [user] = await db.select({ hash: users.passwordHash, deletedAt: users.deletedAt }).from(users).where(eq(users.id, input.userId));
  if (!user || user.deletedAt) throw new AppError("not_found", "Account not found");
  if (!user.hash) throw new AppError("bad_request", "This account signs in through a sign-in provider and has no password to change");
  if (!(await verifyPassword(input.current, user.hash))) throw new AppError("bad_request", "Your current password is not right", { field: "current" });
  if (input.password === input.current) throw new AppError("bad_request", "Choose a password different from the current one", { field: "password" });
  const passwordHash = await hashPassword(input.password);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: new Date() }).where(eq(users.id, input.userId));
    await recordAudit(tx, { actorId: input.userId, action: "user.password_change", targetType: "user", targetId: input.userId, ip: input.ip });
  });
}
