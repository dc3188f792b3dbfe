"use server";

import { z } from "zod";
import { action } from "@/lib/actions/action";
import { deleteAccount } from "@/lib/users/privacy";

// Anyone signed in may delete their own account (never someone else's: the id comes from the session).
export const deleteAccountAction = action(
  z.object({ confirm: z.literal("DELETE", { error: "Type DELETE to confirm" }) }),
  async (_input, { user, db, ip }) => {
    await deleteAccount(db, { userId: user.id, ip });
    return { success: "Your account has been deleted." };
  },
);
