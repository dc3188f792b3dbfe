// The client's address, decided where it cannot be forged: the socket's peer, or — only through the number of
// reverse proxies the operator says are in front (TRUSTED_PROXY_HOPS) — the X-Forwarded-For entry the
// outermost trusted proxy appended. Plain JavaScript: scripts/serve.mjs runs it without a TypeScript loader.
import net from "node:net";

export const CLIENT_ADDRESS_HEADER = "x-margin-client-ip";

/** TRUSTED_PROXY_HOPS: a whole number 0–10, default 0 (no proxy: X-Forwarded-For is ignored). */
export function trustedProxyHops(value) {
  if (value === undefined || value === "") return 0;
  if (!/^\d{1,2}$/.test(value) || Number(value) > 10) {
    throw new Error(`TRUSTED_PROXY_HOPS must be a whole number from 0 to 10 (got "${value}")`);
  }
  return Number(value);
}

function normalise(address) {
  if (typeof address !== "string") return null;
  let a = address.trim();
  if (a.startsWith("[") && a.includes("]")) a = a.slice(1, a.indexOf("]"));
  if (a.toLowerCase().startsWith("::ffff:") && net.isIPv4(a.slice(7))) a = a.slice(7);
  return net.isIP(a) ? a.toLowerCase() : null;
}

/**
 * Walk back from the socket's peer through `hops` trusted proxies: each trusted hop vouches for the address it
 * appended to X-Forwarded-For (the right-most entries). Entries further left were written by the client and are
 * never used. A missing or malformed entry stops the walk at the last address a trusted party vouched for.
 */
export function resolveClientAddress(socketAddress, forwardedFor, hops) {
  let current = normalise(socketAddress);
  if (current === null) return null;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const chain = header.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  for (let i = 0; i < hops; i++) {
    const next = normalise(chain[chain.length - 1 - i]);
    if (next === null) break;
    current = next;
  }
  return current;
}
