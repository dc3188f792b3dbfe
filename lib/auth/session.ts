import { cache } from "react";
import { getServerSession } from "next-auth";
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { authOptions } from "./options";
import { sessionUser } from "./session-version";
import type { GlobalRole } from "./permissions";

export type CurrentUser = { id: string; name: string; email: string; role: GlobalRole };

/** The signed-in user, read fresh from the database (a role change or deletion applies at once). */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const s = sessionUser(await getServerSession(authOptions));
  if (!s) return null;
  const db = await getDb();
  // A session issued before the person's last sign-out or role change is over.
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.id, s.id), isNull(users.deletedAt), eq(users.sessionVersion, s.sv)));
  return user ?? null;
});
