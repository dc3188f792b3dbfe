"use client";

import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";

type Status = {
  status: { state: string; progress?: { phase: string; done: number; total: number }; error?: string };
  lastRun: { seed: string; itemsTotal: number; itemsRouted: number; createdAt: string } | null;
};

/**
 * Polls the routing state while a run is queued or running, then refreshes the page's figures. `renderedRunAt`
 * is the latest run the server rendered the page with: a run that finished between that render and the first
 * poll (fast background jobs) also triggers one refresh, so the figures are never left stale.
 */
export function RoutingStatusPanel({ campaignId, renderedRunAt }: { campaignId: string; renderedRunAt?: string | null }) {
  const router = useRouter();
  const [data, setData] = useState<Status | null>(null);
  useEffect(() => {
    let stop = false;
    let wasBusy = false;
    let shownRunAt = renderedRunAt;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const res = await fetch(`/api/v1/campaigns/${campaignId}/routing`, { cache: "no-store" });
        if (res.ok && !stop) {
          const next = (await res.json()) as Status;
          setData(next);
          const busy = next.status.state === "running" || next.status.state === "queued";
          const finishedRunAt = next.lastRun?.createdAt ?? null;
          const newerRun = shownRunAt !== undefined && !busy && finishedRunAt !== null && finishedRunAt !== shownRunAt;
          if ((wasBusy && !busy) || newerRun) {
            shownRunAt = finishedRunAt;
            router.refresh();
          }
          wasBusy = busy;
          timer = setTimeout(poll, busy ? 700 : 4000);
        }
      } catch {
        if (!stop) timer = setTimeout(poll, 4000);
      }
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [campaignId, router, renderedRunAt]);

  if (!data) return <p className="text-sm text-slate-500">Loading routing state…</p>;
  const { status, lastRun } = data;
  const p = status.progress;
  const pct = p && p.total > 0 ? Math.round((100 * p.done) / p.total) : 0;
  return (
    <div className="space-y-2 text-sm" aria-live="polite">
      {status.state === "running" || status.state === "queued" ? (
        <div>
          <p className="text-slate-700">Routing {status.state === "queued" ? "queued" : `in progress: ${p?.phase ?? "starting"}`}…</p>
          <div className="mt-1 h-2 rounded-full bg-slate-100" role="progressbar" aria-label="Routing progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
            <div className="h-2 rounded-full bg-indigo-500 transition-all" style={{ width: `${pct}%` }} />
          </div>
        </div>
      ) : status.state === "failed" ? (
        <p role="alert" className="text-rose-700">The last routing run failed: {status.error}</p>
      ) : null}
      {lastRun ? (
        <p className="text-slate-600">
          Last routed {new Date(lastRun.createdAt).toLocaleString("en")}: {lastRun.itemsRouted.toLocaleString("en")} of {lastRun.itemsTotal.toLocaleString("en")} items, seed <span className="font-mono text-xs">{lastRun.seed}</span>.
        </p>
      ) : (
        <p className="text-slate-600">Not routed yet.</p>
      )}
    </div>
  );
}
