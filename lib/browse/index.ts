// The item browser (docs/item-browser.md): parse a query string, read one page of a campaign's items and, where it
// is cheap, how many match. The page /campaigns/<slug>/items and GET /api/v1/campaigns/{id}/items both call
// browseItems, so they answer the same address with the same rows.
import type { Db } from "@/db";
import { browseCount, browsePage, type BrowseCampaign, type BrowseOptions, type BrowseRow } from "@/db/queries/browse";
import type { Campaign } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { effectiveConsensus } from "@/lib/report/units";
import { encodeCursor, filterHash, isFiltered, parseBrowseParams, type BrowseIssue, type BrowseQuery } from "./params";

export * from "./params";

/**
 * Matches are counted up to this many ("more than" beyond): the unfiltered list's rows are dense in its index, so
 * 10,000 cost little; a facet's matches can be one row in ten or a hundred, so filtered counts stop at 1,000.
 */
export const COUNT_CAP = 10_000;
export const FILTERED_COUNT_CAP = 1_000;

export type BrowseResult = {
  query: BrowseQuery;
  rows: BrowseRow[];
  nextCursor: string | null;
  /** Matching items counted up to COUNT_CAP; null where counting would read every rating (consensus facets). */
  count: { n: number; capped: boolean } | null;
};

export function browseCampaign(c: Pick<Campaign, "id" | "rubric" | "stratificationKey" | "consensus">): BrowseCampaign {
  return { id: c.id, rubric: c.rubric, stratificationKey: c.stratificationKey, consensus: effectiveConsensus(c.rubric, c.consensus) };
}

/** Facets that cannot hold together: agreement needs both a consensus and a judge score. */
const contradictory = (f: BrowseQuery["filter"]) => f.agree !== undefined && (f.consensus === "none" || f.judge === "none");

/** One page for a parsed query, with the cursor of the next one and the (capped) count. */
export async function runBrowse(db: Db, campaign: BrowseCampaign, query: BrowseQuery, opts: BrowseOptions = {}): Promise<BrowseResult> {
  if (contradictory(query.filter)) return { query, rows: [], nextCursor: null, count: { n: 0, capped: false } };
  const [page, count] = await Promise.all([browsePage(db, campaign, query, opts), browseCount(db, campaign, query, isFiltered(query.filter) ? FILTERED_COUNT_CAP : COUNT_CAP)]);
  const h = filterHash(query);
  return { query, rows: page.rows, nextCursor: page.next ? encodeCursor({ h, v: page.next.v, id: page.next.id }) : null, count };
}

/** The API: any issue with the query string is a 400 naming the parameter. */
export async function browseItemsStrict(db: Db, campaign: BrowseCampaign, search: URLSearchParams): Promise<BrowseResult> {
  const { query, issues } = parseBrowseParams(search, campaign);
  const first = issues[0];
  if (first) throw new AppError("bad_request", first.message, { field: first.field });
  return runBrowse(db, campaign, query);
}

/**
 * The page: an unknown facet or sort key, or a bad value, shows the unfiltered list with a notice; a cursor of
 * another filter (or one that does not decode) shows the first page of this filter with a notice.
 */
export async function browseItemsLenient(db: Db, campaign: BrowseCampaign, search: Record<string, string | string[] | undefined>): Promise<BrowseResult & { issues: BrowseIssue[]; reset: "filter" | "cursor" | null }> {
  const parsed = parseBrowseParams(search, campaign);
  const filterIssues = parsed.issues.filter((i) => i.kind !== "bad_cursor");
  let query = parsed.query;
  let reset: "filter" | "cursor" | null = null;
  if (filterIssues.length > 0) {
    query = { filter: { meta: [] }, sort: "id", dir: "asc", limit: query.limit, cursor: null };
    reset = "filter";
  } else if (parsed.issues.length > 0) {
    query = { ...query, cursor: null };
    reset = "cursor";
  }
  return { ...(await runBrowse(db, campaign, query)), issues: parsed.issues, reset };
}
