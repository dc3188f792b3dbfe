"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { action } from "@/lib/actions/action";
import { can } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { setUserRole } from "@/lib/users/admin";

const schema = z.object({ userId: z.uuid(), role: z.enum(["contributor", "researcher", "auditor", "admin"]) });

// Admins change a person's instance-wide role (promote to researcher, auditor or admin).
export const setRoleAction = action(schema, async (input, { user, db, ip }) => {
  if (!can(user, "admin:users")) throw new AppError("forbidden", "Only admins can change roles");
  await setUserRole(db, { actorId: user.id, userId: input.userId, role: input.role, ip });
  revalidatePath("/admin/users");
  return { success: "Role updated." };
});
