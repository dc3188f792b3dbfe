"use client";

import { useActionState } from "react";
import { createKeyAction, revokeKeyAction } from "@/app/settings/api-keys/actions";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { Input } from "@/components/ui/input";

export function CreateKeyForm() {
  const [state, formAction, pending] = useActionState(createKeyAction, undefined);
  return (
    <form action={formAction} className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <Input label="Key name" name="name" placeholder="e.g. nightly-eval-pipeline" className="min-w-[16rem]" error={state?.fieldErrors?.name} />
        <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create key"}</Button>
      </div>
      {state?.error && !state.fieldErrors && <p role="alert" className="text-sm text-rose-600">{state.error}</p>}
      {state?.success && (
        <div role="status" className="rounded-md bg-emerald-50 p-3 text-sm text-emerald-900">
          <p className="font-semibold">Your new key (shown once):</p>
          <code data-testid="new-api-key" className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-emerald-200">{state.success}</code>
        </div>
      )}
    </form>
  );
}

export function RevokeKeyButton({ keyId, name }: { keyId: string; name: string }) {
  const [state, formAction, pending] = useActionState(revokeKeyAction, undefined);
  return (
    <form action={formAction}>
      <input type="hidden" name="keyId" value={keyId} />
      <ConfirmButton
        className="px-2.5 py-1 text-xs"
        disabled={pending}
        aria-label={`Revoke ${name}`}
        title={`Revoke the key “${name}”?`}
        consequence={<>Every script or service using this key is refused from now on (401). A revoked key cannot be restored: create a new one and update the scripts.</>}
        confirmLabel="Revoke key"
      >
        {pending ? "Revoking…" : "Revoke"}
      </ConfirmButton>
      {state?.error && <span role="alert" className="ml-2 text-xs text-rose-600">{state.error}</span>}
    </form>
  );
}
