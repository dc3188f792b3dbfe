"use client";

import { useActionState, useEffect } from "react";
import { signIn, signOut } from "next-auth/react";
import { changePasswordAction, deleteAccountAction, startLinkAction } from "@/app/settings/privacy/actions";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";

/** "Link <provider>": records the intent on the server, then hands over to the provider's sign-in. */
export function LinkProviderButton({ id, name }: { id: string; name: string }) {
  const [state, formAction, pending] = useActionState(startLinkAction, undefined);
  useEffect(() => {
    if (state?.success) void signIn(id, { callbackUrl: "/settings/privacy" });
  }, [state?.success, id]);
  return (
    <form action={formAction}>
      <input type="hidden" name="provider" value={id} />
      <Button type="submit" variant="secondary" disabled={pending || Boolean(state?.success)}>{pending || state?.success ? `Opening ${name}…` : `Link ${name}`}</Button>
      {state?.error && <p role="alert" className="mt-1 text-sm text-rose-600">{state.error}</p>}
    </form>
  );
}

/** A settings action whose success ends this session too: run it, and sign out (to `then`) once it succeeded. */
function useActionThenSignOut(act: typeof changePasswordAction, then: string) {
  const result = useActionState(act, undefined);
  const success = result[0]?.success;
  useEffect(() => {
    if (success) void signOut({ callbackUrl: then });
  }, [success, then]);
  return result;
}

export function ChangePasswordForm() {
  const [state, formAction, pending] = useActionThenSignOut(changePasswordAction, "/signin");
  const errors = state?.fieldErrors ?? {};
  return (
    <form action={formAction} className="grid max-w-md gap-3">
      <Input id="password-current" label="Current password" name="current" type="password" autoComplete="current-password" required error={errors.current} />
      <Input id="password-new" label="New password" name="password" type="password" autoComplete="new-password" required minLength={10} error={errors.password} hint="At least 10 characters." />
      <Input id="password-confirm" label="New password again" name="confirm" type="password" autoComplete="new-password" required error={errors.confirm} />
      <div>
        <Button type="submit" disabled={pending}>{pending ? "Changing…" : "Change password"}</Button>
      </div>
      {state?.error && !state.fieldErrors && <p role="alert" className="text-sm text-rose-600">{state.error}</p>}
      {state?.success && <p role="status" className="text-sm text-emerald-700">{state.success} Signing you out…</p>}
    </form>
  );
}

export function DeleteAccountForm() {
  const [state, formAction, pending] = useActionThenSignOut(deleteAccountAction, "/");
  return (
    <form action={formAction} className="space-y-3">
      <Input label="Type DELETE to confirm" name="confirm" autoComplete="off" defaultValue={state?.values?.confirm} error={state?.fieldErrors?.confirm} className="max-w-xs" />
      <Button type="submit" variant="danger" disabled={pending}>{pending ? "Deleting…" : "Delete my account"}</Button>
      {state?.error && !state.fieldErrors && <p role="alert" className="text-sm text-rose-600">{state.error}</p>}
      {state?.success && <p role="status" className="text-sm text-emerald-700">{state.success} Signing you out…</p>}
    </form>
  );
}
