import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getDb } from "@/db";
import { groupValues, metadataKeys } from "@/db/queries/browse";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { ActiveFilters, BrowseFilters } from "@/components/browse/browse-filters";
import { ItemTable } from "@/components/browse/item-table";
import { Card, CardBody } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { browseCampaign, browseItemsLenient, browseSearch, canonicalFormSearch, isFiltered } from "@/lib/browse";

export const metadata: Metadata = { title: "Items" };
export const dynamic = "force-dynamic";

type Search = Record<string, string | string[] | undefined>;

// The item browser (docs/item-browser.md): a campaign's items under a filter held in the address, a keyset page at a
// time. Shows the judge's verdict, so judge:read (researchers and auditors; never annotators, who rate blind).
export default async function ItemsPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Search> }) {
  const { slug } = await params;
  const search = await searchParams;
  const gate = await gateCampaign(slug, "judge:read");
  if (gate.denied) return gate.denied;
  const { campaign } = gate;
  const basePath = `/campaigns/${encodeURIComponent(campaign.slug)}/items`;
  const canonical = canonicalFormSearch(search);
  if (canonical !== null) redirect(canonical ? `${basePath}?${canonical}` : basePath);

  const db = await getDb();
  const [result, keys, groups] = await Promise.all([
    browseItemsLenient(db, browseCampaign(campaign), search),
    metadataKeys(db, campaign.id),
    campaign.stratificationKey ? groupValues(db, campaign.id) : Promise.resolve([]),
  ]);
  const { query, rows, nextCursor, count, issues, reset } = result;
  const filtered = isFiltered(query.filter);
  const here = browseSearch({ filter: query.filter, sort: query.sort, dir: query.dir, limit: query.limit });
  const firstPage = here.toString() ? `${basePath}?${here}` : basePath;
  const nextPage = nextCursor ? `${basePath}?${browseSearch({ filter: query.filter, sort: query.sort, dir: query.dir, limit: query.limit, cursor: nextCursor })}` : null;
  const onLaterPage = query.cursor !== null;
  const countText = count === null ? null : `${count.capped ? "More than " : ""}${count.n.toLocaleString("en")} ${count.n === 1 && !count.capped ? "item" : "items"}${filtered ? " match" : ""}`;

  return (
    <div className="space-y-5">
      <div>
        <p className="text-sm">
          <Link href={`/campaigns/${encodeURIComponent(campaign.slug)}`} className="text-indigo-700 hover:underline">← {campaign.name}</Link>
        </p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">Items</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Every item with its routing, the AI judge&apos;s verdict and the people&apos;s consensus. Filter by any facet; the address keeps the filter, so a link to this page shows the same list.
        </p>
      </div>

      {reset === "filter" && (
        <div role="alert" className="rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-inset ring-amber-200">
          <p className="font-medium">This address has a filter the item browser does not know, so all items are shown, unfiltered:</p>
          <ul className="mt-1 list-disc pl-5">
            {issues.filter((i) => i.kind !== "bad_cursor").map((i) => (
              <li key={i.field}><code className="text-xs">{i.field}</code>: {i.message}</li>
            ))}
          </ul>
        </div>
      )}
      {reset === "cursor" && (
        <p role="alert" className="rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-inset ring-amber-200">
          That page link belongs to another filter or sort (or is damaged), so this is the first page of the list.
        </p>
      )}

      <Card>
        <CardBody>
          <BrowseFilters
            basePath={basePath}
            query={query}
            rubric={campaign.rubric}
            stratificationKey={campaign.stratificationKey}
            groups={groups}
            metadataKeys={keys.map((k) => k.key)}
            tailThreshold={campaign.routingPolicy.tailThreshold}
          />
        </CardBody>
      </Card>

      <div className="flex flex-wrap items-center justify-between gap-3">
        <ActiveFilters basePath={basePath} query={query} />
        <p className="text-sm text-slate-600" data-testid="browse-count">
          {countText ?? "Not counted: a consensus filter would read every rating"}
          {onLaterPage ? " · a later page" : ""}
        </p>
      </div>

      {rows.length === 0 ? (
        filtered || onLaterPage ? (
          <EmptyState
            title="No items match"
            description={onLaterPage ? "There are no more items after the previous page." : "Nothing in this campaign passes every facet of the filter. Remove a facet or clear the filter."}
            action={<Link className="text-sm font-semibold text-indigo-700 hover:underline" href={onLaterPage ? firstPage : basePath}>{onLaterPage ? "Back to the first page" : "Clear the filter"}</Link>}
          />
        ) : (
          <EmptyState title="No items yet" description="Import a JSONL or CSV file to browse its items here." action={<Link className="text-sm font-semibold text-indigo-700 hover:underline" href={`/campaigns/${encodeURIComponent(campaign.slug)}/import`}>Import items</Link>} />
        )
      ) : (
        <Card>
          <ItemTable rows={rows} query={query} basePath={basePath} groupLabel={campaign.stratificationKey ?? "Group"} />
          <nav aria-label="Pages" className="flex items-center justify-between gap-3 border-t border-slate-100 px-4 py-3 text-sm">
            <span className="text-slate-600">{rows.length.toLocaleString("en")} on this page</span>
            <span className="flex gap-2">
              {onLaterPage && <Link href={firstPage} className="rounded-md px-3 py-1.5 font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50">First page</Link>}
              {nextPage && <Link href={nextPage} className="rounded-md px-3 py-1.5 font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50">Next page →</Link>}
            </span>
          </nav>
        </Card>
      )}
      <p className="text-xs text-slate-500">
        JSON: <code>/api/v1/campaigns/{campaign.id}/items{here.toString() ? `?${here}` : ""}</code>
      </p>
    </div>
  );
}
