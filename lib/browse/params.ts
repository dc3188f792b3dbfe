// The item browser's query: facets, sort, page size and cursor, parsed from a URL's query string (the page and the
// API read the same parameters, so a filtered list's address is shareable and the API answers it too).
// Pure: no database; db/queries/browse.ts turns a parsed query into SQL.
import { createHash } from "node:crypto";
import { rubricValues, type Rubric } from "@/lib/validation/campaign";

/** A numeric range: [lo, hi) (either side open), an exact value, or "no value". */
export type Range = { lo: number | null; hi: number | null } | { eq: number } | { none: true };

export const ROUTE_REASONS = ["tail", "low_confidence", "control", "active", "escalate", "prior_labels", "gold"] as const;
export type RouteReason = (typeof ROUTE_REASONS)[number];

export type BrowseFilter = {
  /** Metadata key = value, by key (sorted); the campaign's stratification key reads the denormalised group column. */
  meta: [string, string][];
  tail?: Range;
  pi?: Range;
  confidence?: Range;
  /** A routing reason, or "none" (never routed). */
  reason?: RouteReason | "none";
  /** A judge score on the rubric's scale, or "none". */
  judge?: number | string | "none";
  /** The human consensus of the current version's ratings (a scale value), or "none" (no ratings yet). */
  consensus?: number | string | "none";
  /** Judge score equal to the human consensus, or not (items with both). */
  agree?: "yes" | "no";
  /** Items with an open flag, or with any flag. */
  flags?: "open" | "any";
  /** Items re-imported with other content (version > 1), or never changed. */
  changed?: "yes" | "no";
};
export type FacetName = Exclude<keyof BrowseFilter, "meta"> | "meta";

export const SORT_KEYS = ["id", "external_id", "tail", "confidence", "judgments", "updated"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";

/** A keyset position: the last row's sort value and id, and the hash of the filter and sort it belongs to. */
export type Cursor = { h: string; v: number | string | null; id: number };

export type BrowseQuery = { filter: BrowseFilter; sort: SortKey; dir: SortDir; limit: number; cursor: Cursor | null };
export type BrowseIssue = { field: string; message: string; kind: "unknown_facet" | "unknown_sort" | "bad_value" | "bad_cursor" };

/** What parsing needs to know about the campaign: its scale. */
export type BrowseContext = { rubric: Rubric };

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
const FACETS = ["tail", "pi", "confidence", "reason", "judge", "consensus", "agree", "flags", "changed"] as const;
export const META_PREFIX = "meta.";
const MAX_META_KEY = 100;
const MAX_META_VALUE = 500;

export const emptyFilter = (): BrowseFilter => ({ meta: [] });
export const isFiltered = (f: BrowseFilter) => f.meta.length > 0 || FACETS.some((k) => f[k] !== undefined);

type Search = URLSearchParams | Record<string, string | string[] | undefined>;
function entriesOf(search: Search): [string, string][] {
  if (search instanceof URLSearchParams) return [...search.entries()];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(search)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
  }
  return out;
}

/** "0.9..", "..1", "0.1..0.2" ([lo, hi)), "1" (exactly), "none". Values outside [0, 1] are refused. */
export function parseRange(raw: string): Range | null {
  const s = raw.trim();
  if (s === "none") return { none: true };
  const num = (t: string) => {
    if (t === "") return null;
    if (!/^\d*\.?\d+$/.test(t)) return Number.NaN;
    return Number(t);
  };
  const inUnit = (x: number | null) => x === null || (Number.isFinite(x) && x >= 0 && x <= 1);
  const m = /^([^.]*(?:\.\d+)?)\.\.(.*)$/.exec(s);
  if (!m) {
    const x = num(s);
    return x !== null && inUnit(x) ? { eq: x } : null;
  }
  const lo = num(m[1]!);
  const hi = num(m[2]!);
  if (!inUnit(lo) || !inUnit(hi) || (lo === null && hi === null)) return null;
  if (lo !== null && hi !== null && hi <= lo) return null;
  return { lo, hi };
}

export function formatRange(r: Range): string {
  if ("none" in r) return "none";
  if ("eq" in r) return String(r.eq);
  return `${r.lo ?? ""}..${r.hi ?? ""}`;
}

/** A scale value from its text: numbers on numeric rubrics (likert also takes fractional judge scores in range). */
export function parseScaleValue(rubric: Rubric, raw: string, allowFraction: boolean): number | string | null {
  const values = rubricValues(rubric);
  if (rubric.type === "likert" || rubric.type === "binary") {
    if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) return null;
    const x = Number(raw);
    if (values.includes(x)) return x;
    if (allowFraction && rubric.type === "likert" && x >= rubric.min && x <= rubric.max) return x;
    return null;
  }
  return values.includes(raw) ? raw : null;
}

/**
 * Parse a query string. Every problem is reported (unknown facet or sort key, a bad value, a cursor that does not
 * decode or belongs to another filter); the query keeps what parsed. The API answers the first issue with a 400;
 * the page shows a notice and the unfiltered list (or, for a cursor alone, the first page).
 */
export function parseBrowseParams(search: Search, ctx: BrowseContext): { query: BrowseQuery; issues: BrowseIssue[] } {
  const issues: BrowseIssue[] = [];
  const filter = emptyFilter();
  let sort: SortKey = "id";
  let dir: SortDir = "asc";
  let limit = DEFAULT_LIMIT;
  let cursorRaw: string | null = null;
  const seen = new Set<string>();
  const bad = (field: string, message: string) => issues.push({ field, message, kind: "bad_value" });
  for (const [name, rawValue] of entriesOf(search)) {
    const value = rawValue.trim();
    // An empty field of the filter form means "any".
    if (value === "") continue;
    if (seen.has(name)) {
      bad(name, `${name} is given more than once`);
      continue;
    }
    seen.add(name);
    if (name.startsWith(META_PREFIX)) {
      const key = name.slice(META_PREFIX.length);
      if (key.length === 0 || key.length > MAX_META_KEY) bad(name, `A metadata facet is meta.<key>=<value>, with a key of 1–${MAX_META_KEY} characters`);
      else if (value.length > MAX_META_VALUE) bad(name, `At most ${MAX_META_VALUE} characters`);
      else filter.meta.push([key, value]);
      continue;
    }
    switch (name) {
      case "tail":
      case "pi":
      case "confidence": {
        const r = parseRange(value);
        if (r) filter[name] = r;
        else bad(name, `Use a range within 0–1 such as 0.9.. or 0.1..0.2 (from, up to but not including), one value (1) or none`);
        break;
      }
      case "reason":
        if (value === "none" || (ROUTE_REASONS as readonly string[]).includes(value)) filter.reason = value as RouteReason | "none";
        else bad(name, `Unknown routing reason; use one of ${ROUTE_REASONS.join(", ")} or none`);
        break;
      case "judge":
      case "consensus": {
        const v = value === "none" ? "none" : parseScaleValue(ctx.rubric, value, name === "judge");
        if (v === null) bad(name, `Not a value of this campaign's scale (${rubricValues(ctx.rubric).join(", ")}) or none`);
        else filter[name] = v;
        break;
      }
      case "agree":
      case "changed":
        if (value === "yes" || value === "no") filter[name] = value;
        else bad(name, "Use yes or no");
        break;
      case "flags":
        if (value === "open" || value === "any") filter.flags = value;
        else bad(name, "Use open or any");
        break;
      case "sort":
        if ((SORT_KEYS as readonly string[]).includes(value)) sort = value as SortKey;
        else issues.push({ field: "sort", message: `Unknown sort key "${value.slice(0, 40)}"; use one of ${SORT_KEYS.join(", ")}`, kind: "unknown_sort" });
        break;
      case "dir":
        if (value === "asc" || value === "desc") dir = value;
        else bad(name, "Use asc or desc");
        break;
      case "limit": {
        const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
        if (n >= 1 && n <= MAX_LIMIT) limit = n;
        else bad(name, `A page size from 1 to ${MAX_LIMIT}`);
        break;
      }
      case "cursor":
        cursorRaw = value;
        break;
      default:
        issues.push({ field: name, message: `Unknown facet "${name.slice(0, 40)}"; facets are meta.<key>, ${FACETS.join(", ")}`, kind: "unknown_facet" });
    }
  }
  filter.meta.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query: BrowseQuery = { filter, sort, dir, limit, cursor: null };
  if (cursorRaw !== null) {
    const c = decodeCursor(cursorRaw);
    if (!c) issues.push({ field: "cursor", message: "This cursor is not one the item list gave out", kind: "bad_cursor" });
    else if (c.h !== filterHash(query)) issues.push({ field: "cursor", message: "This cursor belongs to another filter or sort; start again from the first page", kind: "bad_cursor" });
    else query.cursor = c;
  }
  return { query, issues };
}

/** The filter and sort in one canonical form: what a cursor is bound to. */
export function canonicalFilter(q: Pick<BrowseQuery, "filter" | "sort" | "dir">): string {
  const f = q.filter;
  const parts: Record<string, unknown> = { sort: q.sort, dir: q.dir };
  if (f.meta.length) parts.meta = f.meta;
  for (const k of FACETS) if (f[k] !== undefined) parts[k] = f[k];
  return JSON.stringify(parts);
}

export function filterHash(q: Pick<BrowseQuery, "filter" | "sort" | "dir">): string {
  return createHash("sha256").update(canonicalFilter(q)).digest("base64url").slice(0, 16);
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.h, c.v, c.id])).toString("base64url");
}

export function decodeCursor(raw: string): Cursor | null {
  if (raw.length > 600 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  try {
    const v = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as unknown;
    if (!Array.isArray(v) || v.length !== 3) return null;
    const [h, value, id] = v as unknown[];
    if (typeof h !== "string" || !Number.isSafeInteger(id) || (id as number) < 0) return null;
    if (value !== null && typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) return null;
    return { h, v: value as number | string | null, id: id as number };
  } catch {
    return null;
  }
}

/** The query string of a query (facets in a fixed order; defaults left out), for links and the next page. */
export function browseSearch(q: Pick<BrowseQuery, "filter" | "sort" | "dir"> & { limit?: number; cursor?: string | null }): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of q.filter.meta) p.set(`${META_PREFIX}${k}`, v);
  const f = q.filter;
  for (const k of ["tail", "pi", "confidence"] as const) if (f[k]) p.set(k, formatRange(f[k]));
  for (const k of ["reason", "judge", "consensus", "agree", "flags", "changed"] as const) if (f[k] !== undefined) p.set(k, String(f[k]));
  if (q.sort !== "id") p.set("sort", q.sort);
  if (q.dir !== "asc") p.set("dir", q.dir);
  if (q.limit !== undefined && q.limit !== DEFAULT_LIMIT) p.set("limit", String(q.limit));
  if (q.cursor) p.set("cursor", q.cursor);
  return p;
}

/** One facet removed (for the "×" on an active filter). */
export function withoutFacet(f: BrowseFilter, facet: FacetName, metaKey?: string): BrowseFilter {
  if (facet === "meta") return { ...f, meta: f.meta.filter(([k]) => k !== metaKey) };
  const next = { ...f };
  delete next[facet];
  return next;
}

/**
 * The filter form's submission made canonical: its metadata pair (mk, mv) becomes meta.<mk>=<mv> and empty fields
 * go. Returns the query string to redirect to, or null when the address is already canonical.
 */
export function canonicalFormSearch(search: Record<string, string | string[] | undefined>): string | null {
  const entries = entriesOf(search);
  const formOnly = entries.some(([k, v]) => k === "mk" || k === "mv" || v.trim() === "");
  if (!formOnly) return null;
  const out = new URLSearchParams();
  const mk = entries.find(([k]) => k === "mk")?.[1].trim() ?? "";
  const mv = entries.find(([k]) => k === "mv")?.[1].trim() ?? "";
  for (const [k, v] of entries) {
    if (k === "mk" || k === "mv" || v.trim() === "") continue;
    // The defaults say nothing: a shorter address.
    if ((k === "sort" && v === "id") || (k === "dir" && v === "asc")) continue;
    out.append(k, v);
  }
  if (mk && mv) out.set(`${META_PREFIX}${mk}`, mv);
  return out.toString();
}
