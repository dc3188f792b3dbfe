"use client";

import { useActionState, useEffect } from "react";
import { REROUTE_STARTED } from "./routing-status";
import type { ActionState } from "@/lib/actions/action";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-button";

type Act = (prev: ActionState, data: FormData) => Promise<ActionState>;
const verb: Record<string, string> = { active: "Activate", paused: "Pause", closed: "Close" };

/** Status buttons (only the allowed next states) and a "re-route now" button, each its own small form. */
export function StatusControls({ slug, next, statusAction, rerouteAction }: { slug: string; next: readonly string[]; statusAction: Act; rerouteAction: Act }) {
  const [state, formAction, pending] = useActionState(statusAction, undefined);
  const [rState, rerouteFormAction, rPending] = useActionState(rerouteAction, undefined);
  // A started run is followed by the routing panel (progress, then the outcome or the error).
  useEffect(() => {
    if (rState?.success) window.dispatchEvent(new Event(REROUTE_STARTED));
  }, [rState]);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {next.map((s) => (
          <form key={s} action={formAction}>
            <input type="hidden" name="slug" value={slug} />
            <input type="hidden" name="status" value={s} />
            {s === "closed" ? (
              <ConfirmButton
                title="Close this campaign?"
                consequence={<>Closing is final: nobody can rate its items any more, it cannot be reopened, and its settings can no longer change. Its report and exports stay available. To stop rating for a while instead, pause it.</>}
                confirmLabel="Close campaign"
                disabled={pending}
              >
                Close…
              </ConfirmButton>
            ) : (
              <Button type="submit" variant="secondary" disabled={pending}>{verb[s] ?? s}</Button>
            )}
          </form>
        ))}
        <form action={rerouteFormAction}>
          <input type="hidden" name="slug" value={slug} />
          <Button type="submit" variant="secondary" disabled={rPending}>{rPending ? "Starting…" : "Re-route now"}</Button>
        </form>
      </div>
      {(state?.error || rState?.error) && <p role="alert" className="text-sm text-rose-700">{state?.error ?? rState?.error}</p>}
      {state?.success && <p role="status" className="text-sm text-emerald-800">{state.success}</p>}
    </div>
  );
}
