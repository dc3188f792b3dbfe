import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { dummyPasswordHash, verifyPassword } from "./password";

export type AuthenticatedUser = { id: string; name: string; email: string };

/** Email + password check. Unknown email and wrong password both cost one scrypt and return null. */
export async function authenticate(db: Db, emailRaw: string, password: string): Promise<AuthenticatedUser | null> {
  const email = emailRaw.trim().toLowerCase();
  if (!email || !password || password.length > 1024) return null;
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(users.email, email), isNull(users.deletedAt)));
  const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (!user || !user.passwordHash || !ok) return null;
  return { id: user.id, name: user.name, email: user.email };
}
