import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";

/** The person's current session version (sessions issued under an older one are over). */
export async function sessionVersionOf(db: Db, userId: string): Promise<number> {
  const [u] = await db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, userId));
  return u?.v ?? 0;
}

/** End every session issued to the person so far (sign-out, role change). */
export async function endSessions(db: Db, userId: string): Promise<void> {
  await db.update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, userId));
}

/** The session's user id, when the session is still current for that user's version. */
export function sessionUser(session: unknown): { id: string; sv: number } | null {
  const u = (session as { user?: { id?: unknown; sv?: unknown } } | null | undefined)?.user;
  if (typeof u?.id !== "string") return null;
  return { id: u.id, sv: typeof u.sv === "number" ? u.sv : 0 };
}
