import Link from "next/link";
import { formatRange, META_PREFIX, ROUTE_REASONS, SORT_KEYS, type BrowseQuery, type FacetName } from "@/lib/browse/params";
import { browseSearch, withoutFacet } from "@/lib/browse/params";
import { rubricValues, type Rubric } from "@/lib/validation/campaign";

export const reasonLabel: Record<string, string> = {
  tail: "Rare (tail)",
  low_confidence: "Judge unsure",
  control: "Random control",
  active: "Active allocation",
  escalate: "Escalated",
  prior_labels: "Prior labels",
  gold: "Gold check",
  none: "Not routed",
};
export const sortLabel: Record<string, string> = { id: "Import order (id)", external_id: "External id", tail: "Tail score", confidence: "Judge confidence", judgments: "Ratings", updated: "Last change" };

const DECILES = Array.from({ length: 10 }, (_, i) => {
  const lo = i / 10;
  const hi = (i + 1) / 10;
  return { value: i === 9 ? "0.9.." : `${lo}..${hi}`, label: `${lo.toFixed(1)}–${hi.toFixed(1)}` };
});

const select = "mt-1 block w-full rounded-md border-0 py-1.5 pl-2 pr-7 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600";
const label = "block min-w-0 text-xs font-medium text-slate-700";

function Select({ name, title, value, options, any = "Any" }: { name: string; title: string; value: string; options: { value: string; label: string }[]; any?: string }) {
  // A value typed into the address (a custom range) stays selectable, so the form does not silently drop it.
  const all = value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options;
  // A label beside the select, not around it: a wrapping label's name would include every option's text.
  const id = `browse-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  return (
    <div className={label}>
      <label htmlFor={id}>{title}</label>
      <select id={id} name={name} defaultValue={value} className={select}>
        <option value="">{any}</option>
        {all.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
      </select>
    </div>
  );
}

/**
 * The filter form: a GET form, so the address holds the filter. The page turns its metadata key/value pair
 * (mk, mv) into meta.<key>=<value> and drops empty fields, then redirects to that canonical address.
 */
export function BrowseFilters({
  basePath,
  query,
  rubric,
  stratificationKey,
  groups,
  metadataKeys,
  tailThreshold,
}: {
  basePath: string;
  query: BrowseQuery;
  rubric: Rubric;
  stratificationKey: string | null;
  groups: string[];
  metadataKeys: string[];
  tailThreshold: number;
}) {
  const f = query.filter;
  const scale = rubricValues(rubric).map((v) => ({ value: String(v), label: String(v) }));
  const metaOther = f.meta.find(([k]) => k !== stratificationKey);
  const groupValue = stratificationKey ? (f.meta.find(([k]) => k === stratificationKey)?.[1] ?? "") : "";
  const otherKeys = metadataKeys.filter((k) => k !== stratificationKey);
  const range = (r: BrowseQuery["filter"]["tail"]) => (r ? formatRange(r) : "");
  return (
    <form method="get" action={basePath} aria-label="Filter items" className="space-y-3">
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        {stratificationKey && (
          <Select name={`${META_PREFIX}${stratificationKey}`} title={stratificationKey} value={groupValue} options={groups.map((g) => ({ value: g, label: g }))} any={`Any ${stratificationKey}`} />
        )}
        <Select name="tail" title="Tail score" value={range(f.tail)} options={[{ value: `${tailThreshold}..`, label: `≥ ${tailThreshold} (tail threshold)` }, ...DECILES, { value: "none", label: "No score" }]} />
        <Select name="reason" title="Routing reason" value={f.reason ?? ""} options={[...ROUTE_REASONS, "none"].map((r) => ({ value: r, label: reasonLabel[r] ?? r }))} />
        <Select name="pi" title="Inclusion probability π" value={range(f.pi)} options={[{ value: "1", label: "π = 1 (certain)" }, { value: "..1", label: "π < 1 (drawn)" }, { value: "none", label: "No π" }]} />
        <Select name="judge" title="Judge score" value={f.judge === undefined ? "" : String(f.judge)} options={[...scale, { value: "none", label: "No score" }]} />
        <Select name="confidence" title="Judge confidence" value={range(f.confidence)} options={[...DECILES, { value: "none", label: "No confidence" }]} />
        <Select name="consensus" title="Human consensus" value={f.consensus === undefined ? "" : String(f.consensus)} options={[...scale, { value: "none", label: "No ratings yet" }]} />
        <Select name="agree" title="Judge vs people" value={f.agree ?? ""} options={[{ value: "yes", label: "Judge agrees" }, { value: "no", label: "Judge disagrees" }]} />
        <Select name="flags" title="Flags" value={f.flags ?? ""} options={[{ value: "open", label: "Open flags" }, { value: "any", label: "Any flag" }]} />
        <Select name="changed" title="Versions" value={f.changed ?? ""} options={[{ value: "yes", label: "Changed (version > 1)" }, { value: "no", label: "Never changed" }]} />
        <div className={label}>
          <label htmlFor="browse-mk">Metadata key</label>
          <select id="browse-mk" name="mk" defaultValue={metaOther?.[0] ?? ""} className={select}>
            <option value="">—</option>
            {[...new Set([...otherKeys, ...(metaOther ? [metaOther[0]] : [])])].map((k) => (
              <option key={k} value={k}>{k}</option>
            ))}
          </select>
        </div>
        <label className={label}>
          Metadata value
          <input name="mv" defaultValue={metaOther?.[1] ?? ""} placeholder="value" className="mt-1 block w-full rounded-md border-0 px-2 py-1.5 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600" />
        </label>
      </div>
      {/* Further metadata facets from the address are kept (the form edits one key at a time). */}
      {f.meta.filter(([k]) => k !== stratificationKey && k !== metaOther?.[0]).map(([k, v]) => (
        <input key={k} type="hidden" name={`${META_PREFIX}${k}`} value={v} />
      ))}
      {query.limit !== 50 && <input type="hidden" name="limit" value={query.limit} />}
      <div className="flex flex-wrap items-end gap-3">
        <div className={label}>
          <label htmlFor="browse-sort">Sort by</label>
          <select id="browse-sort" name="sort" defaultValue={query.sort} className={select}>
            {SORT_KEYS.map((k) => (
              <option key={k} value={k}>{sortLabel[k]}</option>
            ))}
          </select>
        </div>
        <div className={label}>
          <label htmlFor="browse-dir">Order</label>
          <select id="browse-dir" name="dir" defaultValue={query.dir} className={select}>
            <option value="asc">Ascending</option>
            <option value="desc">Descending</option>
          </select>
        </div>
        <button type="submit" className="rounded-md bg-indigo-600 px-3.5 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">Apply</button>
        <Link href={basePath} className="py-1.5 text-sm font-medium text-slate-600 hover:underline">Clear all</Link>
      </div>
    </form>
  );
}

const facetText = (name: string, value: string) => {
  switch (name) {
    case "reason":
      return `reason: ${reasonLabel[value] ?? value}`;
    case "pi":
      return `π ${value}`;
    case "agree":
      return value === "yes" ? "judge agrees" : "judge disagrees";
    case "flags":
      return value === "open" ? "open flags" : "any flag";
    case "changed":
      return value === "yes" ? "changed" : "never changed";
    default:
      return `${name}: ${value}`;
  }
};

/** The active facets, each with a link that removes it. */
export function ActiveFilters({ basePath, query }: { basePath: string; query: BrowseQuery }) {
  const chips: { key: string; text: string; href: string }[] = [];
  const href = (filter: BrowseQuery["filter"]) => {
    const s = browseSearch({ filter, sort: query.sort, dir: query.dir, limit: query.limit }).toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  for (const [k, v] of query.filter.meta) chips.push({ key: `meta.${k}`, text: `${k} = ${v}`, href: href(withoutFacet(query.filter, "meta", k)) });
  const f = query.filter;
  for (const name of ["tail", "pi", "confidence"] as const) if (f[name]) chips.push({ key: name, text: facetText(name, formatRange(f[name])), href: href(withoutFacet(f, name)) });
  for (const name of ["reason", "judge", "consensus", "agree", "flags", "changed"] as const) {
    if (f[name] !== undefined) chips.push({ key: name, text: facetText(name, String(f[name])), href: href(withoutFacet(f, name as FacetName)) });
  }
  if (chips.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-2" aria-label="Active filters">
      {chips.map((c) => (
        <li key={c.key}>
          <Link href={c.href} className="inline-flex items-center gap-1 rounded-full no-underline bg-indigo-50 px-2.5 py-0.5 text-xs font-medium text-indigo-800 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-100" aria-label={`Remove filter ${c.text}`}>
            <span dir="auto">{c.text}</span> <span aria-hidden="true">×</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}
