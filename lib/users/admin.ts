import { and, desc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { GlobalRole } from "@/lib/auth/permissions";

const names = new Intl.DisplayNames(["en"], { type: "language" });

/** A language code's English name ("sw" → "Swahili"), or the code itself when it is not one. */
export function languageName(code: string): string {
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * The declared language codes a search matches: the code itself ("sw"), a regional form of it ("pt" → "pt-BR"),
 * or, from three letters, a part of its English name ("swah" → "sw", "Portug" → "pt").
 */
export async function languagesMatching(db: Db, q: string): Promise<string[]> {
  const needle = q.trim().toLowerCase();
  if (!needle) return [];
  const rows = await db.execute(sql`select distinct l as code from users, unnest(${users.languages}) as l where ${users.deletedAt} is null`);
  const codes = (Array.isArray(rows) ? rows : (rows as { rows: { code: string }[] }).rows) as { code: string }[];
  return codes
    .map((r) => r.code)
    .filter((c) => {
      const code = c.toLowerCase();
      return code === needle || code.startsWith(`${needle}-`) || (needle.length >= 3 && languageName(c).toLowerCase().includes(needle));
    });
}

const like = (q: string) => `%${q.replace(/[%_\\]/g, "\\$&")}%`;

/**
 * Accounts, newest first. `q` matches a part of the name, email or region, or a declared language by code or
 * English name (languagesMatching).
 */
export async function listUsers(db: Db, opts: { q?: string; role?: GlobalRole; limit: number; offset: number }) {
  const where: SQL[] = [sql`${users.deletedAt} is null`];
  const q = opts.q?.trim();
  if (q) {
    const langs = await languagesMatching(db, q);
    where.push(
      or(
        ilike(users.email, like(q)),
        ilike(users.name, like(q)),
        ilike(users.region, like(q)),
        langs.length ? sql`${users.languages} && (select coalesce(array_agg(value), '{}') from json_array_elements_text(${JSON.stringify(langs)}::json))` : undefined,
      )!,
    );
  }
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
