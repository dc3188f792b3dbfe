import { and, desc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { GlobalRole } from "@/lib/auth/permissions";

export async function listUsers(db: Db, opts: { q?: string; role?: GlobalRole; limit: number; offset: number }) {
  const where: SQL[] = [sql`${users.deletedAt} is null`];
  if (opts.q) where.push(or(ilike(users.email, `%${opts.q}%`), ilike(users.name, `%${opts.q}%`))!);
  if (opts.role) where.push(eq(users.role, opts.role));
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      languages: users.languages,
      region: users.region,
      createdAt: users.createdAt,
      total: sql<number>`count(*) over ()::int`,
    })
    .from(users)
    .where(and(...where))
    .orderBy(desc(users.createdAt), users.email)
    .limit(opts.limit)
    .offset(opts.offset);
  return { rows, total: rows[0]?.total ?? 0 };
}

/** Admins promote or demote; an admin cannot demote themselves (the instance must keep an admin). */
export async function setUserRole(db: Db, input: { actorId: string; userId: string; role: GlobalRole; ip?: string | null }) {
  if (input.actorId === input.userId && input.role !== "admin") throw new AppError("conflict", "You cannot change your own admin role");
  await db.transaction(async (tx) => {
    const [prev] = await tx.select({ role: users.role }).from(users).where(and(eq(users.id, input.userId), sql`${users.deletedAt} is null`));
    if (!prev) throw new AppError("not_found", "No such user");
    if (prev.role === input.role) return;
    // A role change ends the person's sessions: they sign in again under the new role.
    await tx.update(users).set({ role: input.role, sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: sql`now()` }).where(eq(users.id, input.userId));
    await recordAudit(tx, { actorId: input.actorId, action: "user.role_change", targetType: "user", targetId: input.userId, ip: input.ip, details: { from: prev.role, to: input.role } });
  });
}
