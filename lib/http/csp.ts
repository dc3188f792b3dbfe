/**
 * The Content-Security-Policy of every page. Scripts run only with this response's nonce ('strict-dynamic' lets
 * Next's nonce'd bootstrap load its own chunks), so an injected <script> or inline handler never runs. Nothing loads
 * from elsewhere: no remote images (a tracking pixel in a model output stays a link; a campaign's pages add the
 * https hosts that campaign lists, `imageHosts`), fonts, frames or
 * connections; no plugins; no framing of Margin. Styles keep 'unsafe-inline': charts and React set style
 * attributes, which nonces cannot cover, and a style cannot run code. Dev adds eval and websockets for HMR.
 */
export function pageCsp(nonce: string, dev = process.env.NODE_ENV !== "production", imageHosts: readonly string[] = []): string {
  const images = imageHosts.filter((h) => /^[a-z0-9.-]+$/.test(h)).map((h) => ` https://${h}`).join("");
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data:${images}`,
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Strict-Transport-Security for a deployment served over https (NEXTAUTH_URL, read when the request is served, so
 * a build made without it still sends HSTS in production); null over plain http, where it would be ignored anyway
 * and would lock a local http setup out if a proxy later added TLS for the same host.
 */
export function hstsHeader(siteUrl = process.env.NEXTAUTH_URL ?? ""): string | null {
  return siteUrl.startsWith("https://") ? "max-age=63072000; includeSubDomains" : null;
}

/** API responses are data, never documents: nothing may load or run in them, and nobody may frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A fresh, unguessable nonce per response (128 bits, base64). */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * A server action posted from another origin (or an opaque `null` one) is a cross-site request forgery attempt:
 * refuse it with 403 before Next's own check turns it into a 500. No Origin at all (old clients, same-origin
 * navigations in some browsers) is left to Next, which compares it again.
 */
export function foreignActionOrigin(headers: Headers): boolean {
  if (!headers.has("next-action")) return false;
  const origin = headers.get("origin");
  if (origin === null) return false;
  if (origin === "null") return true;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}
