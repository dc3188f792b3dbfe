/**
 * A redirect target the user (or a link) supplied, reduced to a same-origin path, or null. Browsers read a
 * backslash as a slash, drop tabs and newlines inside URLs and decode percent-escapes before some of these
 * checks, so `/\evil.example`, `/%5Cevil.example`, `/\t/evil.example` or `//evil.example` all leave the site when
 * followed. The target is normalised the way a browser would and resolved against a placeholder origin; only a
 * result on that origin is kept (its path, query and fragment).
 */
const PLACEHOLDER = "https://margin.invalid";

export function safeRedirectPath(raw: unknown, fallback = "/campaigns"): string {
  return sameOriginPath(raw) ?? fallback;
}

export function sameOriginPath(raw: unknown): string | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2000) return null;
  let target = raw;
  // Percent-decoding twice catches %255C and friends; a malformed escape is not a path we send anyone to.
  for (let i = 0; i < 2; i++) {
    try {
      const decoded = decodeURIComponent(target);
      if (decoded === target) break;
      target = decoded;
    } catch {
      return null;
    }
  }
  // Control characters (tab, CR, LF are stripped by browsers) and backslashes (read as slashes) end it here.
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return null;
  if (!target.startsWith("/") || target.startsWith("//")) return null;
  let url: URL;
  try {
    url = new URL(raw.replace(/\\/g, "/"), PLACEHOLDER);
  } catch {
    return null;
  }
  if (url.origin !== PLACEHOLDER) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}
