"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { FormattedDate } from "@/components/ui/date";

type Summary = { runId: string; itemsTotal: number; itemsRouted: number; byReason: Record<string, number>; round: number; kind: string };
type Status = {
  // state: idle | queued | running | stalled (no heartbeat lately) | retrying (after a failed attempt) | failed
  status: { state: string; progress?: { phase: string; done: number; total: number }; error?: string; last?: Summary; attempt?: number; heartbeatAt?: string };
  lastRun: { id: string; seed: string; itemsTotal: number; itemsRouted: number; createdAt: string; round?: number; kind?: string } | null;
};

/** The event "Re-route now" (status-controls.tsx) sends when a run was started: the panel then follows it to its end. */
export const REROUTE_STARTED = "margin:reroute-started";

const REASON: Record<string, string> = {
  low_confidence: "low judge confidence",
  tail: "tail",
  control: "control sample",
  prior_labels: "already labelled",
  gold: "gold",
  active: "active draw",
  escalate: "escalated",
};
const KIND: Record<string, string> = { rules: "rules", active: "active", escalate: "escalate" };

function byReasonText(byReason: Record<string, number>): string {
  const parts = Object.entries(byReason)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${n.toLocaleString("en")} ${REASON[r] ?? r.replace(/_/g, " ")}`);
  return parts.length ? parts.join(", ") : "none";
}

// A run is under way in every state but idle and failed: retried and stalled runs still end in a run or a failure.
const BUSY = new Set(["queued", "running", "stalled", "retrying"]);

function busyText(status: Status["status"]): string {
  const p = status.progress;
  if (status.state === "queued") return "Re-routing queued…";
  if (status.state === "retrying") return `Re-routing attempt ${status.attempt ?? 1} failed (${status.error ?? "unknown error"}); it will be retried shortly…`;
  const counts = p && p.total > 0 ? ` (${p.done.toLocaleString("en")} of ${p.total.toLocaleString("en")})` : "";
  if (status.state === "stalled") return `Re-routing stalled at ${p?.phase ?? "start"}${counts}: its worker has stopped reporting; it will be retried when its time limit passes…`;
  return `Re-routing in progress: ${p?.phase ?? "starting"}${counts}…`;
}

type Outcome = { kind: "done"; summary: Summary | null; run: NonNullable<Status["lastRun"]> } | { kind: "failed"; error: string };

/**
 * Polls the routing state while a run is queued or running, then refreshes the page's figures. `renderedRunAt`
 * is the latest run the server rendered the page with: a run that finished between that render and the first
 * poll (fast background jobs) also triggers one refresh, so the figures are never left stale. After "Re-route now"
 * it follows that run: progress while it runs, then its outcome (items routed by reason, round and policy kind) or
 * its error, without a reload.
 */
export function RoutingStatusPanel({ campaignId, renderedRunAt }: { campaignId: string; renderedRunAt?: string | null }) {
  const router = useRouter();
  const [data, setData] = useState<Status | null>(null);
  const [watching, setWatching] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const dataRef = useRef<Status | null>(null);
  // While following a re-route: the run that was the latest before it (a newer one is its result).
  const watch = useRef<{ before: string | null; sawBusy: boolean } | null>(null);
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    let stop = false;
    let wasBusy = false;
    let shownRunAt = renderedRunAt;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      clearTimeout(timer);
      try {
        const res = await fetch(`/api/v1/campaigns/${campaignId}/routing`, { cache: "no-store" });
        if (res.ok && !stop) {
          const next = (await res.json()) as Status;
          dataRef.current = next;
          setData(next);
          const busy = BUSY.has(next.status.state);
          const finishedRunAt = next.lastRun?.createdAt ?? null;
          const newerRun = shownRunAt !== undefined && !busy && finishedRunAt !== null && finishedRunAt !== shownRunAt;
          const w = watch.current;
          if (w) {
            if (busy) w.sawBusy = true;
            else if (next.status.state === "failed" && (w.sawBusy || (next.lastRun?.id ?? null) === w.before)) {
              watch.current = null;
              setWatching(false);
              setOutcome({ kind: "failed", error: next.status.error ?? "unknown error" });
            } else if (next.lastRun && next.lastRun.id !== w.before) {
              watch.current = null;
              setWatching(false);
              const s = next.status.last && next.status.last.runId === next.lastRun.id ? next.status.last : null;
              setOutcome({ kind: "done", summary: s, run: next.lastRun });
            }
          }
          if ((wasBusy && !busy) || newerRun) {
            shownRunAt = finishedRunAt;
            router.refresh();
          }
          wasBusy = busy;
          timer = setTimeout(poll, busy || watch.current ? 600 : 4000);
        } else if (!stop) timer = setTimeout(poll, 4000);
      } catch {
        if (!stop) timer = setTimeout(poll, 4000);
      }
    };
    kick.current = () => void poll();
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [campaignId, router, renderedRunAt]);

  const onStarted = useCallback(() => {
    watch.current = { before: dataRef.current?.lastRun?.id ?? null, sawBusy: false };
    setOutcome(null);
    setWatching(true);
    kick.current();
  }, []);
  useEffect(() => {
    window.addEventListener(REROUTE_STARTED, onStarted);
    return () => window.removeEventListener(REROUTE_STARTED, onStarted);
  }, [onStarted]);

  if (!data) return <p className="text-sm text-slate-500">Loading routing state…</p>;
  const { status, lastRun } = data;
  const p = status.progress;
  const pct = p && p.total > 0 ? Math.round((100 * p.done) / p.total) : 0;
  const busy = BUSY.has(status.state);
  const lastSummary = lastRun && status.last?.runId === lastRun.id ? status.last : null;
  return (
    <div className="space-y-2 text-sm">
      <div aria-live="polite" className="space-y-2">
        {busy || watching ? (
          <div>
            <p className="text-slate-700">
              {busyText(status)}
            </p>
            <div className="mt-1 h-2 rounded-full bg-slate-100" role="progressbar" aria-label="Routing progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
              <div className="h-2 rounded-full bg-indigo-500 transition-all" style={{ width: `${pct}%` }} />
            </div>
          </div>
        ) : null}
        {outcome?.kind === "done" && (
          <div role="status" data-testid="reroute-outcome" className="rounded-md bg-emerald-50 px-3 py-2 text-emerald-900">
            <p className="font-semibold">Re-routing finished.</p>
            <p>
              Round {outcome.summary?.round ?? outcome.run.round ?? 1} under the {KIND[outcome.summary?.kind ?? outcome.run.kind ?? "rules"] ?? outcome.summary?.kind} policy: {outcome.run.itemsRouted.toLocaleString("en")} of {outcome.run.itemsTotal.toLocaleString("en")} items go to people
              {outcome.summary ? ` (by reason: ${byReasonText(outcome.summary.byReason)}).` : "."}
            </p>
          </div>
        )}
        {outcome?.kind === "failed" && (
          <p role="alert" data-testid="reroute-outcome" className="rounded-md bg-rose-50 px-3 py-2 text-rose-700">Re-routing failed: {outcome.error}. Nothing was changed; the previous routing still applies.</p>
        )}
      </div>
      {!outcome && status.state === "failed" && !busy && <p role="alert" className="text-rose-700">The last routing run failed: {status.error}</p>}
      {lastRun ? (
        <p className="text-slate-600">
          Last routed <FormattedDate value={lastRun.createdAt} />: {lastRun.itemsRouted.toLocaleString("en")} of {lastRun.itemsTotal.toLocaleString("en")} items, round {lastRun.round ?? 1} ({KIND[lastRun.kind ?? "rules"] ?? lastRun.kind} policy)
          {lastSummary ? `; by reason: ${byReasonText(lastSummary.byReason)}` : ""}, seed <span className="font-mono text-xs">{lastRun.seed}</span>.
        </p>
      ) : (
        <p className="text-slate-600">Not routed yet.</p>
      )}
    </div>
  );
}
