import { getServerSession } from "next-auth";
import { clientIpFrom } from "@/lib/http/client-ip";
import { sessionUser } from "@/lib/auth/session-version";
import { and, eq, isNull } from "drizzle-orm";
import { type z } from "zod";
import { getDb, type Db } from "@/db";
import { users } from "@/db/schema";
import { authOptions } from "@/lib/auth/options";
import { authenticateApiKey } from "@/lib/auth/api-keys";
import type { GlobalRole } from "@/lib/auth/permissions";
import { AppError, isDatabaseTimeout } from "@/lib/errors";
import { assertStorable, assertStorableUrl } from "@/lib/validation/storable";

export type ApiActor = { id: string; role: GlobalRole; name: string; email: string; via: "session" | "api_key"; apiKeyId?: string };

type Ctx<P, B> = {
  req: Request;
  db: Db;
  actor: ApiActor | null;
  params: P;
  body: B;
  ip: string | null;
  /** What `options.prefetch` started (undefined without one, or for a caller that is not a session). */
  prefetched?: Promise<unknown>;
};
type Options<PS extends z.ZodType, BS extends z.ZodType | undefined> = {
  /** "required" (default) answers 401 to anonymous callers before the handler runs. */
  auth?: "required" | "optional";
  params?: PS;
  body?: BS;
  /** JSON bodies above this are refused with 413 before parsing. */
  maxBodyBytes?: number;
  /**
   * A read the handler will need for the session's user (the contributor hot path: the campaign and this person's
   * membership), started at the same time as the check that the session is still valid instead of after it, which
   * saves one database round trip per request. Its result reaches the handler as `prefetched` only once the
   * session has been verified, and the handler must still check that it belongs to `actor` (the rows are read for
   * the id the session claims). Unvalidated path parameters: use them only as query parameters.
   */
  prefetch?: (db: Db, claimedUserId: string, rawParams: Record<string, string | string[]>) => Promise<unknown>;
};

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * The one wrapper for route handlers: authenticates (bearer API key or next-auth session), refuses
 * cross-site mutations for cookie sessions (route handlers get no CSRF token from Next), parses params and
 * JSON body with zod, and maps errors to `{ error: { code, message, field?, fields? } }` with the right status
 * (`field`: the first failing field's path; `fields`: every failing field's path → its message).
 */
export function apiRoute<PS extends z.ZodType = z.ZodType<Record<string, string>>, BS extends z.ZodType | undefined = undefined>(
  options: Options<PS, BS>,
  handler: (ctx: Ctx<z.infer<PS>, BS extends z.ZodType ? z.infer<BS> : undefined>) => Promise<Response | unknown>,
) {
  return async (req: Request, route: { params: Promise<Record<string, string | string[]>> }): Promise<Response> => {
    try {
      // Text the database cannot store (NUL, broken Unicode) in the address is a 400 before anything runs.
      assertStorableUrl(req.url);
      const db = await getDb();
      const rawParams = await route.params;
      const session = req.headers.get("authorization") ? null : sessionUser(await getServerSession(authOptions));
      const prefetched = options.prefetch && session ? options.prefetch(db, session.id, rawParams) : undefined;
      // A refused session makes the prefetch's answer moot: never leave its rejection unhandled.
      prefetched?.catch(() => {});
      const actor = await resolveActor(req, db, session);
      if (!actor && (options.auth ?? "required") === "required") throw new AppError("unauthorized", "Sign in or send an API key (Authorization: Bearer …)");
      if (actor?.via === "session" && MUTATING.has(req.method)) assertSameOrigin(req);
      const params = options.params ? parseOrThrow(options.params, rawParams, "path") : rawParams;
      let body: unknown = undefined;
      if (options.body) {
        const json = await readJson(req, options.maxBodyBytes ?? 1_000_000);
        assertStorable(json, "body");
        body = parseOrThrow(options.body, json, "body");
      }
      const ip = clientIpFrom(req.headers);
      const result = await handler({ req, db, actor, params, body, ip, prefetched: actor?.via === "session" ? prefetched : undefined } as Ctx<
        z.infer<PS>,
        BS extends z.ZodType ? z.infer<BS> : undefined
      >);
      return result instanceof Response ? result : Response.json(result ?? { ok: true });
    } catch (e) {
      return errorResponse(e);
    }
  };
}

export function errorResponse(e: unknown): Response {
  if (e instanceof AppError) {
    return Response.json({ error: { code: e.code, message: e.message, ...e.details } }, { status: e.status });
  }
  if (isUnstorableText(e)) {
    // A backstop for text the checks above did not see (they cover the address, params and JSON bodies).
    return Response.json({ error: { code: "bad_request", message: "The request holds text the database cannot store (a NUL character or broken Unicode)." } }, { status: 400 });
  }
  if (isDatabaseUnavailable(e)) {
    // Retryable: the request did nothing the database acknowledged. Clients should try again shortly.
    console.error("[api] database unavailable", (e as { code?: string }).code ?? e);
    return Response.json(
      { error: { code: "unavailable", message: "The database is not reachable right now. Nothing was saved; try again in a few seconds." } },
      { status: 503, headers: { "retry-after": "2" } },
    );
  }
  if (isDatabaseTimeout(e)) {
    // A statement or lock wait over its limit (db/timeouts.ts): the transaction was rolled back; retryable.
    console.error("[api] database timeout", (e as { code?: string }).code ?? e);
    return Response.json(
      { error: { code: "busy", message: "The database is busy and this request ran out of time. Nothing was saved; try again in a few seconds." } },
      { status: 503, headers: { "retry-after": "5" } },
    );
  }
  console.error("[api] unhandled error", e);
  return Response.json({ error: { code: "internal", message: "Internal error" } }, { status: 500 });
}

// postgres.js connection error codes, Node socket errors, and SQLSTATEs that mean "the server is not there right
// now" (class 08 connection exceptions; 57P01–57P03 shutdown and start-up; 53300 too many connections).
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND",
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  "57P01", "57P02", "57P03", "53300",
]);

/** SQLSTATE 22021 (character not in repertoire, e.g. NUL) and 22P05 (untranslatable character). */
export function isUnstorableText(e: unknown): boolean {
  const err = e as { code?: unknown; cause?: { code?: unknown } } | null | undefined;
  const code = err?.code ?? err?.cause?.code;
  return code === "22021" || code === "22P05";
}

/** Whether an error (or what caused it) says the database could not be reached, rather than that a query was wrong. */
export function isDatabaseUnavailable(e: unknown, depth = 0): boolean {
  if (typeof e !== "object" || e === null || depth > 4) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
  return isDatabaseUnavailable((e as { cause?: unknown }).cause, depth + 1);
}

async function resolveActor(req: Request, db: Db, s: ReturnType<typeof sessionUser>): Promise<ApiActor | null> {
  const auth = req.headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    const key = match ? await authenticateApiKey(db, match[1]!) : null;
    if (!key) throw new AppError("unauthorized", "Invalid or revoked API key");
    return { id: key.id, role: key.role, name: key.name, email: key.email, via: "api_key", apiKeyId: key.apiKeyId };
  }
  if (!s) return null;
  // A session issued before the person's last sign-out or role change is over (lib/auth/session-version.ts).
  const [user] = await db
    .select({ id: users.id, role: users.role, name: users.name, email: users.email })
    .from(users)
    .where(and(eq(users.id, s.id), isNull(users.deletedAt), eq(users.sessionVersion, s.sv)));
  return user ? { ...user, via: "session" } : null;
}

/** Cookie-authenticated mutations must come from this site (Origin, or Sec-Fetch-Site as a fallback). */
export function assertSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (origin) {
    let originHost: string | null = null;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = null;
    }
    if (originHost && host && originHost === host) return;
    throw new AppError("forbidden", "Cross-site request refused");
  }
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin" || site === "none") return;
  throw new AppError("forbidden", "Cross-site request refused (no Origin header)");
}

async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new AppError("too_large", `Body over ${maxBytes} bytes`);
  const text = await req.text();
  if (Buffer.byteLength(text) > maxBytes) throw new AppError("too_large", `Body over ${maxBytes} bytes`);
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    throw new AppError("bad_request", "Body is not valid JSON");
  }
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".") || where;
  // Every failing field, first message each (a form can mark them all at once); `field` stays the first.
  const fields: Record<string, string> = {};
  for (const i of parsed.error.issues) fields[i.path.join(".") || where] ??= i.message;
  throw new AppError("bad_request", `${field}: ${issue?.message ?? "invalid"}`, { field, fields });
}
