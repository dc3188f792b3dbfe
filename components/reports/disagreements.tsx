import Link from "next/link";
import type { DisagreementDetail } from "@/db/queries/report";
import type { Disagreement, Report } from "@/lib/report/types";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";

type Row = Disagreement & { detail: DisagreementDetail | null };

/** Untrusted model text: React escapes it; whitespace kept, long words wrapped, tall outputs scroll. */
function Text({ children }: { children: string }) {
  return <p className="max-h-48 overflow-y-auto whitespace-pre-wrap break-words text-sm text-slate-800">{children}</p>;
}

export function DisagreementFilters({ report, group, bucket, basePath, keep }: { report: Report; group?: string; bucket?: string; basePath: string; keep: Record<string, string> }) {
  const groups = report.groups.map((g) => g.key);
  const buckets = report.buckets.map((b) => b.key);
  const select = "mt-1 block rounded-md border-0 py-1.5 pl-3 pr-8 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600";
  return (
    <form method="get" action={basePath} className="flex flex-wrap items-end gap-3" aria-label="Filter disagreements">
      {Object.entries(keep).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <label className="text-sm font-medium text-slate-800">
        Group
        <select name="group" defaultValue={group ?? ""} className={select}>
          <option value="">All groups</option>
          {groups.map((g) => <option key={g} value={g}>{g}</option>)}
        </select>
      </label>
      <label className="text-sm font-medium text-slate-800">
        Tail bucket
        <select name="bucket" defaultValue={bucket ?? ""} className={select}>
          <option value="">All buckets</option>
          {buckets.map((b) => <option key={b} value={b}>{b}</option>)}
        </select>
      </label>
      <button type="submit" className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500">Filter</button>
    </form>
  );
}

/** `itemsPath`: the item browser's address; each item's id then links to its page (ratings, flags, versions). */
export function DisagreementList({ rows, total, page, pageSize, basePath, params, itemsPath }: { rows: Row[]; total: number; page: number; pageSize: number; basePath: string; params: Record<string, string>; itemsPath?: string }) {
  if (total === 0) return <EmptyState title="No disagreements here" description="No rated item in this selection has a confident human consensus that differs from the judge." />;
  return (
    <div className="space-y-4">
      <ol className="space-y-4" aria-label="Top disagreements">
        {rows.map((r) => (
          <li key={r.itemId} className="rounded-lg ring-1 ring-slate-200">
            <div className="flex flex-wrap items-center gap-2 border-b border-slate-100 bg-slate-50 px-4 py-2 text-sm">
              {itemsPath ? (
                <Link href={`${itemsPath}/${encodeURIComponent(r.externalId)}`} className="font-mono text-xs font-semibold text-indigo-700 hover:underline">{r.externalId}</Link>
              ) : (
                <span className="font-mono text-xs text-slate-600">{r.externalId}</span>
              )}
              {r.group && <Badge tone="sky">{r.group}</Badge>}
              {r.bucket && <Badge tone="slate">tail {r.bucket}</Badge>}
              <span className="ml-auto text-slate-700">
                judge <strong className="tabular-nums">{String(r.judge)}</strong> vs people <strong className="tabular-nums">{String(r.consensus)}</strong>{" "}
                <span className="text-slate-500">(gap {r.gap}, {Math.round(r.support * 100)}% of {r.ratings} ratings behind the consensus)</span>
              </span>
            </div>
            {r.detail ? (
              <div className="grid gap-4 p-4 lg:grid-cols-3">
                <div className="space-y-2">
                  <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Input</h3>
                  <Text>{r.detail.input || "(empty)"}</Text>
                  <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Output</h3>
                  <Text>{r.detail.output}</Text>
                  {r.detail.outputB !== null && (
                    <>
                      <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Output B</h3>
                      <Text>{r.detail.outputB}</Text>
                    </>
                  )}
                </div>
                <div className="space-y-2">
                  <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">AI judge: {String(r.judge)}</h3>
                  <Text>{r.detail.judgeRationale ?? "No rationale given."}</Text>
                </div>
                <div className="space-y-2">
                  <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">People</h3>
                  <ul className="space-y-2">
                    {r.detail.ratings.map((h, i) => (
                      <li key={i} className="text-sm">
                        <span className="font-medium text-slate-900">Rater {i + 1}{h.source === "imported" ? " (imported)" : ""}: {String(h.value)}</span>
                        {h.rationale && <Text>{h.rationale}</Text>}
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
            ) : (
              <p className="p-4 text-sm text-slate-500">This item has since been removed.</p>
            )}
          </li>
        ))}
      </ol>
      <Pagination page={page} pageSize={pageSize} total={total} basePath={basePath} params={params} />
    </div>
  );
}
