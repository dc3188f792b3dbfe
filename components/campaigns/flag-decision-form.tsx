"use client";

import { useActionState } from "react";
import { resolveFlagAction } from "@/app/campaigns/[slug]/contributors/actions";
import { Button } from "@/components/ui/button";

/** Close an open flag: Resolve (dealt with) or Dismiss (nothing to do), with an optional note for the audit trail. */
export function FlagDecisionForm({ slug, flagId, externalId }: { slug: string; flagId: number; externalId: string }) {
  const [state, formAction, pending] = useActionState(resolveFlagAction, undefined);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="flagId" value={flagId} />
      <input
        name="note"
        maxLength={500}
        placeholder="Note (optional)"
        aria-label={`Note on the flag of ${externalId} (optional)`}
        className="w-36 rounded-md border-0 px-2 py-1 text-xs ring-1 ring-inset ring-slate-300"
      />
      <Button type="submit" name="status" value="resolved" variant="secondary" className="px-2 py-1 text-xs" disabled={pending}>Resolve</Button>
      <Button type="submit" name="status" value="dismissed" variant="ghost" className="px-2 py-1 text-xs" disabled={pending}>Dismiss</Button>
      {state?.error && <span role="alert" className="text-xs text-rose-700">{state.fieldErrors?.note ?? state.error}</span>}
    </form>
  );
}
