// Typed errors, mapped in one place to HTTP status (API) and to the { error } a server action returns.
export type ErrorCode = "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "too_large" | "unsupported_type" | "rate_limited";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_type: 415,
  rate_limited: 429,
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const notFound = (what = "Not found") => new AppError("not_found", what);
export const forbidden = (what = "You do not have access to this") => new AppError("forbidden", what);
export const unauthorized = (what = "Sign in to continue") => new AppError("unauthorized", what);

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

// SQLSTATEs that mean "the database gave up waiting, try again": statement_timeout (57014, query_canceled),
// lock_timeout (55P03), idle_in_transaction_session_timeout (25P03), and a deadlock or serialization failure the
// database resolved by cancelling this transaction (40P01, 40001). Nothing of the transaction was kept.
const TIMEOUT_CODES = new Set(["57014", "55P03", "25P03", "40P01", "40001"]);

/** Whether an error (or what caused it) is a database timeout or a cancelled conflict: retryable, never a 500. */
export function isDatabaseTimeout(e: unknown, depth = 0): boolean {
  if (typeof e !== "object" || e === null || depth > 4) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) return true;
  return isDatabaseTimeout((e as { cause?: unknown }).cause, depth + 1);
}
