import { cache } from "react";
import { getServerSession } from "next-auth";
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { authOptions } from "./options";
import type { GlobalRole } from "./permissions";

export type CurrentUser = { id: string; name: string; email: string; role: GlobalRole };

/** The signed-in user, read fresh from the database (a role change or deletion applies at once). */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await getServerSession(authOptions);
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const db = await getDb();
  const [user] = await db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.id, id), isNull(users.deletedAt)));
  return user ?? null;
});
