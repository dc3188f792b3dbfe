import { CLIENT_ADDRESS_HEADER } from "@/scripts/client-address.mjs";

/**
 * The client's address as scripts/serve.mjs decided it from the socket (and TRUSTED_PROXY_HOPS). Never read
 * X-Forwarded-For here: the client writes it. Without the header (next dev, tests) the address is unknown and
 * every such caller shares one bucket, which is safe: a limit can only be stricter, never bypassed.
 */
export function clientIpFrom(headers: Headers | Record<string, unknown> | undefined): string | null {
  if (!headers) return null;
  const raw = headers instanceof Headers ? headers.get(CLIENT_ADDRESS_HEADER) : headers[CLIENT_ADDRESS_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === "string" && value && value !== "unknown" ? value : null;
}
