"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { cn } from "@/components/ui/cn";
import type { LeasedItem } from "@/db/queries/assign";
import { scaleOptions } from "@/lib/assign/shortcuts";
import type { Rubric } from "@/lib/validation/campaign";
import { ItemView } from "./item-view";
import { untilAnswered, workApi, type ApiFailure } from "./use-work-api";
import { FlagDialog, ShortcutHelp, SkipDialog } from "./work-dialogs";

type Props = { slug: string; name: string; rubric: Rubric; initialItem: LeasedItem | null; rated: number; waiting: number; guidelines: React.ReactNode; imageHosts: readonly string[] };
type Panel = null | "skip" | "flag" | "help";

/**
 * Whether a key press belongs to the element that has focus rather than to the page's shortcuts: form controls
 * (typing), and buttons, links and summaries (Enter and Space activate what has focus, nothing else — a focused
 * Skip button must never submit a rating).
 */
export const ownsKeys = (t: EventTarget | null) =>
  t instanceof HTMLElement &&
  (["INPUT", "TEXTAREA", "SELECT", "BUTTON", "A", "SUMMARY"].includes(t.tagName) || t.isContentEditable || t.closest("[role=button],[role=link],[role=dialog] button") !== null);

/**
 * The contributor's rating loop: keyboard first, submit-and-next without a page reload (the submit answers
 * with the next lease), skip and flag panels, guidelines beside the item (below it on a phone).
 */
export function RatingWorkspace({ slug, name, rubric, initialItem, rated: initialRated, waiting: initialWaiting, guidelines, imageHosts }: Props) {
  const api = useMemo(() => workApi(slug), [slug]);
  const [item, setItem] = useState(initialItem);
  const [value, setValue] = useState<number | string | null>(null);
  const [rationale, setRationale] = useState("");
  const [panel, setPanel] = useState<Panel>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: "ok" | "error" | "wait"; text: string } | null>(null);
  const [rated, setRated] = useState(initialRated);
  const [waiting, setWaiting] = useState(initialWaiting);
  const heading = useRef<HTMLHeadingElement>(null);
  const unmounted = useRef(new AbortController());
  useEffect(() => {
    const c = new AbortController();
    unmounted.current = c;
    return () => c.abort();
  }, []);
  const options = useMemo(() => (item ? scaleOptions(rubric, item.swapped) : []), [rubric, item]);

  const show = useCallback((next: LeasedItem | null, text: string | null, tone: "ok" | "error" = "ok") => {
    setItem(next);
    setValue(null);
    setRationale("");
    setPanel(null);
    setMessage(text ? { tone, text } : null);
    heading.current?.focus();
  }, []);

  // A refused request (lease lost, item full, campaign closed) never strands the person: say why, load the next.
  const recover = useCallback(
    async (error: ApiFailure) => {
      if (error.status === 409 || error.status === 404) {
        const n = await api.next();
        show(n.ok ? n.data.item : null, error.message, "error");
      } else setMessage({ tone: "error", text: error.message });
    },
    [api, show],
  );

  const submit = useCallback(async () => {
    if (!item || busy) return;
    if (value === null) return setMessage({ tone: "error", text: "Choose a rating first." });
    setBusy(true);
    // While the server or network is away the rating stays on screen and is sent again (the same assignment and
    // value, which the server replays rather than doubles) until an answer comes back.
    const { assignmentId } = item;
    const text = rationale.trim();
    const r = await untilAnswered(
      () => api.submit(assignmentId, value, text),
      (attempt, delayMs) =>
        setMessage({
          tone: "wait",
          text: `Waiting for the server… your rating is kept and will be sent when it is back (attempt ${attempt}, next try in ${Math.round(delayMs / 1000)} s).`,
        }),
      unmounted.current.signal,
    );
    if (!r.ok) {
      setBusy(false);
      return recover(r.error);
    }
    setRated((n) => n + 1);
    setWaiting((n) => Math.max(0, n - 1));
    let next = r.data.next;
    if (r.data.nextUnavailable) {
      // Saved, but the next lease met an outage: fetch it once the server is back.
      const n = await untilAnswered(
        () => api.next(),
        (attempt, delayMs) => setMessage({ tone: "wait", text: `Saved. Waiting for the server to load the next item (attempt ${attempt}, next try in ${Math.round(delayMs / 1000)} s).` }),
        unmounted.current.signal,
      );
      next = n.ok ? n.data.item : null;
    }
    setBusy(false);
    show(next, "Saved. Here is the next item.");
  }, [api, busy, item, rationale, recover, show, value]);

  const skip = useCallback(
    async (reason: string) => {
      if (!item || busy) return;
      setBusy(true);
      const r = await api.skip(item.assignmentId, reason);
      setBusy(false);
      if (!r.ok) return recover(r.error);
      setWaiting((n) => Math.max(0, n - 1));
      show(r.data.next, "Skipped. You will not see that item again.");
    },
    [api, busy, item, recover, show],
  );

  const flag = useCallback(
    async (reason: string, note: string) => {
      if (!item || busy) return;
      setBusy(true);
      const r = await api.flag(item.assignmentId, reason, note);
      setBusy(false);
      if (!r.ok) return recover(r.error);
      setWaiting((n) => Math.max(0, n - 1));
      show(r.data.next, "Flagged for the researchers. Thank you.");
    },
    [api, busy, item, recover, show],
  );

  // Marked once the keyboard handler is attached (after hydration), so tests know the shortcuts work.
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!item || e.altKey || e.metaKey) return;
      if (e.key === "Escape") return setPanel(null);
      if (e.key === "Enter" && e.ctrlKey && e.target instanceof HTMLTextAreaElement) {
        e.preventDefault();
        return void submit();
      }
      if (e.ctrlKey || ownsKeys(e.target) || panel === "skip" || panel === "flag") return;
      const key = e.key.toLowerCase();
      const opt = options.find((o) => o.key === key);
      if (opt) {
        e.preventDefault();
        setValue(opt.value);
        setMessage(null);
      } else if (e.key === "Enter") {
        e.preventDefault();
        void submit();
      } else if (key === "s") {
        e.preventDefault();
        setPanel("skip");
      } else if (key === "f") {
        e.preventDefault();
        setPanel("flag");
      } else if (e.key === "?") {
        e.preventDefault();
        setPanel((p) => (p === "help" ? null : "help"));
      }
    };
    window.addEventListener("keydown", onKey);
    rootRef.current?.setAttribute("data-keys-ready", "true");
    return () => window.removeEventListener("keydown", onKey);
  }, [item, options, panel, submit]);

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]" ref={rootRef}>
      <div className="min-w-0 space-y-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h1 ref={heading} tabIndex={-1} className="text-xl font-bold tracking-tight text-slate-900 outline-none">Rate: {name}</h1>
          <p className="text-sm text-slate-600" aria-label="Progress">
            <span className="font-semibold tabular-nums text-slate-900">{rated.toLocaleString("en")}</span> rated by you ·{" "}
            <span className="tabular-nums">{waiting.toLocaleString("en")}</span> waiting ·{" "}
            <button type="button" className="text-indigo-700 underline" onClick={() => setPanel(panel === "help" ? null : "help")}>shortcuts (?)</button>
          </p>
        </div>
        <p aria-live="polite" className={cn("min-h-5 text-sm", message?.tone === "error" ? "text-rose-700" : message?.tone === "wait" ? "text-amber-800" : "text-emerald-700")}>
          {message?.text}
        </p>
        {panel === "help" && <ShortcutHelp onClose={() => setPanel(null)} />}
        {!item ? (
          <EmptyState
            title="You are all caught up"
            description="There is nothing left for you to rate in this campaign right now. Items come back when other people's leases expire."
            action={<Link className="text-sm font-semibold text-indigo-700 hover:underline" href={`/campaigns/${slug}/history`}>See your ratings</Link>}
          />
        ) : (
          <>
            <ItemView key={item.assignmentId} item={item} imageHosts={imageHosts} />
            <fieldset disabled={busy} className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
              <legend className="sr-only">Your rating</legend>
              <div className="grid grid-cols-2 gap-2 sm:flex sm:flex-wrap">
                {options.map((o) => (
                  <button
                    key={String(o.value)}
                    type="button"
                    aria-pressed={value === o.value}
                    onClick={() => setValue(o.value)}
                    className={cn(
                      "flex min-h-14 min-w-16 flex-col items-center justify-center rounded-lg px-4 py-2 text-base font-semibold ring-1 ring-inset transition sm:flex-1",
                      value === o.value ? "bg-indigo-600 text-white ring-indigo-600" : "bg-white text-slate-900 ring-slate-300 hover:bg-slate-50",
                    )}
                  >
                    <span>{o.label}</span>
                    {o.hint && <span className={cn("text-xs font-normal", value === o.value ? "text-indigo-100" : "text-slate-500")}>{o.hint}</span>}
                    {o.key && o.key !== o.label.toLowerCase() && (
                      <kbd className={cn("mt-0.5 rounded px-1 font-mono text-[10px] font-normal", value === o.value ? "bg-indigo-500" : "bg-slate-100 text-slate-500")}>{o.key.toUpperCase()}</kbd>
                    )}
                  </button>
                ))}
              </div>
              <label htmlFor="rationale" className="mt-4 block text-sm font-medium text-slate-700">Why? (optional)</label>
              <textarea
                id="rationale"
                rows={2}
                maxLength={2000}
                value={rationale}
                onChange={(e) => setRationale(e.target.value)}
                className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
              />
            </fieldset>
            {panel === "skip" && <SkipDialog busy={busy} onSkip={skip} onCancel={() => setPanel(null)} />}
            {panel === "flag" && <FlagDialog busy={busy} onFlag={flag} onCancel={() => setPanel(null)} />}
            <div className="sticky bottom-0 -mx-4 flex flex-wrap gap-2 border-t border-slate-200 bg-slate-50/95 px-4 py-3 sm:static sm:mx-0 sm:border-0 sm:bg-transparent sm:p-0">
              <Button onClick={() => void submit()} disabled={busy || value === null} className="min-h-11 flex-1 py-3 sm:flex-none">
                {busy ? "Saving…" : "Submit and next"} <kbd className="hidden text-xs font-normal opacity-75 sm:inline">Enter</kbd>
              </Button>
              <Button variant="secondary" className="min-h-11" onClick={() => setPanel("skip")} disabled={busy}>Skip <kbd className="hidden text-xs font-normal text-slate-500 sm:inline">S</kbd></Button>
              <Button variant="secondary" className="min-h-11" onClick={() => setPanel("flag")} disabled={busy}>Flag <kbd className="hidden text-xs font-normal text-slate-500 sm:inline">F</kbd></Button>
            </div>
          </>
        )}
      </div>
      <aside aria-label="Guidelines" className="lg:sticky lg:top-4 lg:self-start">
        <details open className="group rounded-lg bg-white shadow-sm ring-1 ring-slate-200 lg:[&>summary]:pointer-events-none">
          <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-slate-900">Guidelines</summary>
          {/* Focusable, so long guidelines scroll from the keyboard too. */}
          <div tabIndex={0} className="max-h-[70vh] overflow-y-auto border-t border-slate-100 px-4 py-3">{guidelines}</div>
        </details>
      </aside>
    </div>
  );
}
