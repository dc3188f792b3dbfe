// One way to show a date or time: Intl.DateTimeFormat in the reader's locale (the browser's, or the request's
// Accept-Language on the server) and, in the browser, the reader's time zone. Display only: data files, APIs and
// CSVs keep ISO 8601 in UTC.

export type DateStyle = "datetime" | "date" | "time";

/** The first usable language tag of an Accept-Language header (quality order), else "en". */
export function pickLocale(acceptLanguage: string | null | undefined): string {
  if (!acceptLanguage) return "en";
  const tags = acceptLanguage
    .split(",")
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: (tag ?? "").trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((t) => t.tag && t.tag !== "*" && Number.isFinite(t.q) && t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const t of tags) {
    try {
      const [canonical] = Intl.getCanonicalLocales(t.tag);
      if (canonical && Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0) return canonical;
    } catch {
      // not a language tag: try the next
    }
  }
  return "en";
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, style: DateStyle, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${locale}|${style}|${timeZone ?? ""}`;
  let f = cache.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === "date" ? { dateStyle: "medium", timeZone } : style === "time" ? { timeStyle: "short", timeZone } : { dateStyle: "medium", timeStyle: "short", timeZone };
    try {
      f = new Intl.DateTimeFormat(locale, options);
    } catch {
      f = new Intl.DateTimeFormat("en", options);
    }
    if (cache.size > 200) cache.clear();
    cache.set(key, f);
  }
  return f;
}

/**
 * A date for people to read, e.g. "3 Dec 2026, 14:05" (en-GB) or "Dec 3, 2026, 2:05 PM" (en-US). With a timeZone
 * (the server, which does not know the reader's) the zone is named after the time ("… UTC"); without one the
 * runtime's own zone is used (the browser's: the reader's).
 */
export function formatDate(value: Date | string | number, opts: { locale?: string; timeZone?: string; style?: DateStyle } = {}): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return "—";
  const style = opts.style ?? "datetime";
  const text = formatter(opts.locale ?? "en", style, opts.timeZone).format(d);
  return opts.timeZone && style !== "date" ? `${text} ${opts.timeZone === "UTC" ? "UTC" : opts.timeZone}` : text;
}
