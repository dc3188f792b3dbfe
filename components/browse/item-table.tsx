import Link from "next/link";
import type { BrowseRow } from "@/db/queries/browse";
import { browseSearch, type BrowseQuery, type SortKey } from "@/lib/browse/params";
import { Badge } from "@/components/ui/badge";
import { reasonLabel } from "./browse-filters";

const fmt = (x: number | null, digits = 2) => (x === null ? "–" : x.toFixed(digits));
const fmtPi = (x: number | null) => (x === null ? "–" : x === 1 ? "1" : x >= 0.01 ? x.toFixed(3).replace(/0+$/, "") : x.toExponential(1));

/** A column header that sorts by its key (a second click reverses the order). */
function SortHeader({ label, sortKey, query, basePath, numeric }: { label: string; sortKey: SortKey; query: BrowseQuery; basePath: string; numeric?: boolean }) {
  const active = query.sort === sortKey;
  const dir = active && query.dir === "asc" ? "desc" : active ? "asc" : sortKey === "id" || sortKey === "external_id" ? "asc" : "desc";
  const href = `${basePath}?${browseSearch({ filter: query.filter, sort: sortKey, dir, limit: query.limit }).toString()}`;
  return (
    <th scope="col" aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : undefined} className={`px-3 py-2 text-xs font-semibold text-slate-600 ${numeric ? "text-right" : "text-left"}`}>
      <Link href={href} className="inline-flex items-center gap-0.5 hover:text-indigo-700">
        {label}
        <span aria-hidden="true" className={active ? "text-indigo-600" : "text-slate-300"}>{active && query.dir === "desc" ? "▼" : "▲"}</span>
      </Link>
    </th>
  );
}

/** One page of the item browser: each row links to the item's page. Judge columns: people with judge:read only. */
export function ItemTable({ rows, query, basePath, groupLabel }: { rows: BrowseRow[]; query: BrowseQuery; basePath: string; groupLabel: string }) {
  const th = "px-3 py-2 text-left text-xs font-semibold text-slate-600";
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">Items</caption>
        <thead className="bg-slate-50">
          <tr>
            <SortHeader label="Item" sortKey={query.sort === "external_id" ? "external_id" : "id"} query={query} basePath={basePath} />
            <th scope="col" className={th}>{groupLabel}</th>
            <SortHeader label="Tail" sortKey="tail" query={query} basePath={basePath} numeric />
            <th scope="col" className={th}>Routing (π)</th>
            <SortHeader label="Judge (conf.)" sortKey="confidence" query={query} basePath={basePath} numeric />
            <SortHeader label="Ratings" sortKey="judgments" query={query} basePath={basePath} numeric />
            <th scope="col" className={th}>Consensus</th>
            <th scope="col" className={th}>Flags</th>
            <SortHeader label="Changed" sortKey="updated" query={query} basePath={basePath} />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.id} className="align-top hover:bg-slate-50">
              <td className="max-w-sm px-3 py-2">
                <Link href={`${basePath}/${encodeURIComponent(r.externalId)}`} className="font-mono text-xs font-semibold text-indigo-700 hover:underline">
                  {r.externalId}
                </Link>
                {r.gold && <span className="ml-1"><Badge tone="amber">gold</Badge></span>}
                <p dir="auto" className="mt-0.5 truncate text-xs text-slate-500" title={r.inputPreview}>{r.inputPreview || "(no input)"}</p>
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-slate-700" dir="auto">{r.group ?? "–"}</td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums text-slate-700">{fmt(r.tailScore)}</td>
              <td className="whitespace-nowrap px-3 py-2 text-slate-700">
                {r.routeReason ? <Badge tone={r.routeReason === "tail" ? "rose" : r.routeReason === "control" ? "sky" : "indigo"}>{reasonLabel[r.routeReason] ?? r.routeReason}</Badge> : <span className="text-xs text-slate-500">not routed</span>}
                <span className="ml-1 text-xs tabular-nums text-slate-500">{fmtPi(r.inclusionProb)}</span>
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums text-slate-700">
                <span className="font-semibold text-slate-900">{r.judgeScore === null ? "–" : String(r.judgeScore)}</span>{" "}
                <span className="text-xs text-slate-500">({fmt(r.judgeConfidence)})</span>
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums text-slate-700">{r.judgmentCount}</td>
              <td className="whitespace-nowrap px-3 py-2 text-slate-700">
                {r.consensus === null ? (
                  <span className="text-xs text-slate-500">–</span>
                ) : (
                  <span className="inline-flex items-center gap-1">
                    <span className="font-semibold tabular-nums text-slate-900">{String(r.consensus)}</span>
                    {r.agree === true && <span className="text-xs text-emerald-700" title="The judge's score equals the consensus">= judge</span>}
                    {r.agree === false && <span className="text-xs font-medium text-rose-700" title="The judge's score differs from the consensus">≠ judge</span>}
                  </span>
                )}
              </td>
              <td className="whitespace-nowrap px-3 py-2">
                {r.openFlags > 0 ? <Badge tone="amber">{r.openFlags} open</Badge> : r.flags > 0 ? <span className="text-xs text-slate-500">{r.flags} closed</span> : <span className="text-xs text-slate-500">–</span>}
              </td>
              <td className="whitespace-nowrap px-3 py-2 text-xs text-slate-500">
                {r.version > 1 && <span className="mr-1"><Badge tone="sky">v{r.version}</Badge></span>}
                <time dateTime={r.updatedAt}>{r.updatedAt.slice(0, 10)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
