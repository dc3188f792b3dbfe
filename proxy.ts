import { NextResponse, type NextRequest } from "next/server";
import { campaignSlugOfPath, imageHostsForSlug } from "@/lib/campaigns/image-hosts";
import { foreignActionOrigin, hstsHeader, newNonce, pageCsp } from "@/lib/http/csp";
import { assertStorableUrl } from "@/lib/validation/storable";
import { AppError } from "@/lib/errors";

/**
 * Runs before every page and server action (not API routes or static files; see config.matcher):
 * - a fresh CSP nonce per page: set on the request, Next reads it there and stamps its own scripts with it, and
 *   on the response for the browser;
 * - a server action from a foreign origin is refused with 403 (Next alone answers 500);
 * - on a campaign's pages, images may load from the hosts that campaign lists (and only those).
 */
export async function proxy(request: NextRequest) {
  if (request.method === "POST" && foreignActionOrigin(request.headers)) {
    return NextResponse.json({ error: { code: "forbidden", message: "Cross-origin form submissions are refused" } }, { status: 403 });
  }
  // An address with a NUL or broken Unicode in it names no page; left through, it would reach a query as a 500.
  try {
    assertStorableUrl(request.url);
  } catch (e) {
    const message = e instanceof AppError ? e.message : "The address is not valid";
    return new NextResponse(`Bad request: ${message}.`, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  const nonce = newNonce();
  const slug = campaignSlugOfPath(request.nextUrl.pathname);
  const csp = pageCsp(nonce, undefined, slug ? await imageHostsForSlug(slug) : []);
  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  // The page asked for, so a refusal can send an anonymous visitor to sign-in and back (components/auth/deny.ts).
  headers.set("x-margin-path", `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  const hsts = hstsHeader();
  if (hsts) response.headers.set("strict-transport-security", hsts);
  return response;
}

export const config = {
  matcher: [{ source: "/((?!api/|_next/static|_next/image|favicon\\.ico|.*\\.(?:png|svg|ico|txt|woff2?)$).*)" }],
};
