"use client";

import { createContext, useContext, useSyncExternalStore } from "react";
import { formatDate, type DateStyle } from "@/lib/format/date";

// The request's locale (Accept-Language, read once in the root layout) for the server's rendering of dates.
const LocaleContext = createContext("en");

export function LocaleProvider({ locale, children }: { locale: string; children: React.ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

const subscribe = () => () => {};

/**
 * A date or time, the one way dates are shown. The server renders it in the request's locale in UTC (it does not
 * know the reader's zone); once hydrated, the browser shows it in its own locale and time zone. The exact instant
 * (ISO 8601, UTC) is in the element's dateTime and title.
 */
export function FormattedDate({ value, style = "datetime", className }: { value: Date | string | number; style?: DateStyle; className?: string }) {
  const serverLocale = useContext(LocaleContext);
  const inBrowser = useSyncExternalStore(subscribe, () => true, () => false);
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return <span className={className}>—</span>;
  const text = inBrowser
    ? formatDate(d, { locale: navigator.languages?.[0] ?? navigator.language ?? serverLocale, style })
    : formatDate(d, { locale: serverLocale, style, timeZone: "UTC" });
  const iso = d.toISOString();
  return (
    <time dateTime={iso} title={iso} className={className} data-formatted-date="">
      {text}
    </time>
  );
}
