"use server";

import { cookies } from "next/headers";
import { z } from "zod";
import { LINK_COOKIE, signLinkIntent } from "@/lib/auth/link-intent";
import { oauthProviders } from "@/lib/auth/options";
import { AppError } from "@/lib/errors";
import { action } from "@/lib/actions/action";
import { deleteAccount } from "@/lib/users/privacy";
import { changePassword, changePasswordSchema } from "@/lib/users/change-password";

// Anyone signed in may change their own password; every session ends, this one included.
export const changePasswordAction = action(changePasswordSchema, async (input, { user, db, ip }) => {
  await changePassword(db, { userId: user.id, current: input.current, password: input.password, ip });
  return { success: "Password changed. Every session has ended, this one too: sign in again with the new password." };
});

// The first step of linking a sign-in provider to the signed-in person: a signed, short-lived intent cookie that
// only the provider's sign-in callback reads (lib/auth/options.ts); the page then starts the provider's sign-in.
export const startLinkAction = action(z.object({ provider: z.string().max(40) }), async (input, { user }) => {
  if (!oauthProviders.some((p) => p.id === input.provider)) throw new AppError("bad_request", "That sign-in provider is not configured here", { field: "provider" });
  (await cookies()).set(LINK_COOKIE, signLinkIntent(user.id, input.provider), {
    httpOnly: true,
    sameSite: "lax",
    secure: (process.env.NEXTAUTH_URL ?? "").startsWith("https://"),
    path: "/api/auth",
    maxAge: 600,
  });
  return { success: input.provider };
});

// Anyone signed in may delete their own account (never someone else's: the id comes from the session).
export const deleteAccountAction = action(
  z.object({ confirm: z.literal("DELETE", { error: "Type DELETE to confirm" }) }),
  async (_input, { user, db, ip }) => {
    await deleteAccount(db, { userId: user.id, ip });
    return { success: "Your account has been deleted." };
  },
);
