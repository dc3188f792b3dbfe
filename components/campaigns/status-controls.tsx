"use client";

import { useActionState } from "react";
import type { ActionState } from "@/lib/actions/action";
import { Button } from "@/components/ui/button";

type Act = (prev: ActionState, data: FormData) => Promise<ActionState>;
const verb: Record<string, string> = { active: "Activate", paused: "Pause", closed: "Close" };

/** Status buttons (only the allowed next states) and a "re-route now" button, each its own small form. */
export function StatusControls({ slug, next, statusAction, rerouteAction }: { slug: string; next: readonly string[]; statusAction: Act; rerouteAction: Act }) {
  const [state, formAction, pending] = useActionState(statusAction, undefined);
  const [rState, rerouteFormAction, rPending] = useActionState(rerouteAction, undefined);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {next.map((s) => (
          <form key={s} action={formAction}>
            <input type="hidden" name="slug" value={slug} />
            <input type="hidden" name="status" value={s} />
            <Button type="submit" variant={s === "closed" ? "danger" : "secondary"} disabled={pending}>{verb[s] ?? s}</Button>
          </form>
        ))}
        <form action={rerouteFormAction}>
          <input type="hidden" name="slug" value={slug} />
          <Button type="submit" variant="secondary" disabled={rPending}>Re-route now</Button>
        </form>
      </div>
      {(state?.error || rState?.error) && <p role="alert" className="text-sm text-rose-700">{state?.error ?? rState?.error}</p>}
      {(state?.success || rState?.success) && <p role="status" className="text-sm text-emerald-800">{state?.success ?? rState?.success}</p>}
    </div>
  );
}
