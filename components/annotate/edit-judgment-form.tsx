"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { scaleOptions } from "@/lib/assign/shortcuts";
import type { Rubric } from "@/lib/validation/campaign";
import { workApi } from "./use-work-api";

/** Change one of your ratings in place (pairwise values are shown as the item's own A/B). */
export function EditJudgmentForm({ slug, judgmentId, rubric, value, rationale }: { slug: string; judgmentId: number; rubric: Rubric; value: number | string; rationale: string | null }) {
  const router = useRouter();
  const options = scaleOptions(rubric).map((o) => ({ ...o, label: rubric.type === "pairwise" ? (o.value === "tie" ? "Tie" : `Output ${o.value}`) : o.label }));
  const [next, setNext] = useState(String(value));
  const [why, setWhy] = useState(rationale ?? "");
  const [state, setState] = useState<{ busy?: boolean; error?: string; ok?: boolean }>({});
  const chosen = options.find((o) => String(o.value) === next)?.value ?? value;
  return (
    <form
      className="flex flex-wrap items-center gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        setState({ busy: true });
        const r = await workApi(slug).edit(judgmentId, chosen, why.trim() || null);
        if (!r.ok) return setState({ error: r.error.message });
        setState({ ok: true });
        router.refresh();
      }}
    >
      <label className="sr-only" htmlFor={`v-${judgmentId}`}>Rating</label>
      <select id={`v-${judgmentId}`} value={next} onChange={(e) => setNext(e.target.value)} className="rounded-md border-0 py-1.5 pl-2 pr-8 text-sm ring-1 ring-inset ring-slate-300">
        {options.map((o) => (
          <option key={String(o.value)} value={String(o.value)}>{o.label}{o.hint ? ` – ${o.hint}` : ""}</option>
        ))}
      </select>
      <label className="sr-only" htmlFor={`r-${judgmentId}`}>Rationale</label>
      <input id={`r-${judgmentId}`} value={why} maxLength={2000} onChange={(e) => setWhy(e.target.value)} placeholder="Rationale (optional)" className="min-w-40 flex-1 rounded-md border-0 px-2 py-1.5 text-sm ring-1 ring-inset ring-slate-300" />
      <Button type="submit" variant="secondary" disabled={state.busy}>{state.busy ? "Saving…" : "Save"}</Button>
      {state.error && <span role="alert" className="text-sm text-rose-700">{state.error}</span>}
      {state.ok && <span className="text-sm text-emerald-700">Saved</span>}
    </form>
  );
}
