"use server";

import { z } from "zod";
import { action } from "@/lib/actions/action";
import { deleteAccount } from "@/lib/users/privacy";
import { changePassword, changePasswordSchema } from "@/lib/users/change-password";

// Anyone signed in may change their own password; every session ends, this one included.
export const changePasswordAction = action(changePasswordSchema, async (input, { user, db, ip }) => {
  await changePassword(db, { userId: user.id, current: input.current, password: input.password, ip });
  return { success: "Password changed. Every session has ended, this one too: sign in again with the new password." };
});

// Anyone signed in may delete their own account (never someone else's: the id comes from the session).
export const deleteAccountAction = action(
  z.object({ confirm: z.literal("DELETE", { error: "Type DELETE to confirm" }) }),
  async (_input, { user, db, ip }) => {
    await deleteAccount(db, { userId: user.id, ip });
    return { success: "Your account has been deleted." };
  },
);
