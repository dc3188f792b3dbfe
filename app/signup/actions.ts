"use server";

import { publicAction } from "@/lib/actions/action";
import { AppError } from "@/lib/errors";
import { signUp, signUpSchema } from "@/lib/users/signup";

// Community sign-up: creates a contributor account. The form then signs in with the same credentials.
export const signUpAction = publicAction(signUpSchema, async (input, { db, ip, user }) => {
  if (user) throw new AppError("conflict", "You are already signed in.");
  await signUp(db, input, { ip });
  return { success: "Account created." };
});
