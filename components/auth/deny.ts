import { headers } from "next/headers";
import { forbidden, notFound, redirect } from "next/navigation";
import type { AppError } from "@/lib/errors";
import { sameOriginPath } from "@/lib/http/safe-redirect";

/** The header proxy.ts sets on every page request: the path and query asked for (a sign-in returns there). */
export const PATH_HEADER = "x-margin-path";

/** The page the current request asked for, or null when it is not known (outside a request, or no proxy). */
export async function requestPath(): Promise<string | null> {
  try {
    return sameOriginPath((await headers()).get(PATH_HEADER) ?? "");
  } catch {
    return null;
  }
}

/**
 * Turns a refusal from the permission checks into the real HTTP answer of a page: 404 (app/not-found.tsx) for what
 * does not exist or is not shared, 403 (app/forbidden.tsx, which says which role the page needs) for a signed-in
 * person without the right, and for an anonymous visitor a redirect to sign-in that comes back here afterwards.
 */
export async function deny(error: AppError): Promise<never> {
  if (error.code === "unauthorized") {
    const from = await requestPath();
    redirect(from ? `/signin?${new URLSearchParams({ callbackUrl: from }).toString()}` : "/signin");
  }
  if (error.code === "forbidden") forbidden();
  notFound();
}
