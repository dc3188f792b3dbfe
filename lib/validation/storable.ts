import { AppError } from "@/lib/errors";

// Text PostgreSQL refuses (a NUL in text or jsonb) or that is not Unicode at all (an unpaired UTF-16 surrogate)
// must never reach a query: it would fail there as a 500. Requests carrying it are refused up front with a 400.

const MAX_NODES = 200_000;

// ES2024 (Node ≥ 20), not yet in TypeScript's es2023 lib: native, ~10× a regular expression on import-sized text.
export const isWellFormed = (s: string) => (s as string & { isWellFormed(): boolean }).isWellFormed();

function problemOf(s: string): string | null {
  if (s.includes("\u0000")) return "contains a NUL character (\\u0000)";
  if (!isWellFormed(s)) return "contains an unpaired UTF-16 surrogate (e.g. \\ud800), which is not valid Unicode";
  return null;
}

/** A key as it may appear in a path (echoed in errors, stored in import reports): unstorable characters escaped. */
const printableKey = (k: string) => (problemOf(k) ? JSON.stringify(k).slice(1, -1) : k);

/**
 * Where in a parsed value (JSON body, route params, form fields) text that cannot be stored first appears, as
 * `{ path, problem }`, or null when there is none. Walks with an explicit stack, so no nesting depth can overflow.
 */
export function findUnstorable(value: unknown): { path: string; problem: string } | null {
  const stack: [unknown, string][] = [[value, ""]];
  for (let seen = 0; stack.length > 0 && seen < MAX_NODES; seen++) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      const problem = problemOf(v);
      if (problem) return { path, problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], path ? `${path}.${i}` : String(i)]);
    } else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        const at = path ? `${path}.${printableKey(k)}` : printableKey(k);
        const problem = problemOf(k);
        if (problem) return { path: at, problem: `has a key that ${problem}` };
        stack.push([x, at]);
      }
    }
  }
  return null;
}

/** Throws a 400 naming the field when `value` holds text that cannot be stored. */
export function assertStorable(value: unknown, where: string): void {
  const bad = findUnstorable(value);
  if (bad) throw new AppError("bad_request", `The ${where}${bad.path ? ` field "${bad.path}"` : ""} ${bad.problem}; remove it and try again.`, bad.path ? { field: bad.path } : undefined);
}

/** The request URL's path segments and query parameters, decoded: a 400 when they hold unstorable or undecodable text. */
export function assertStorableUrl(url: string): void {
  const u = new URL(url);
  for (const segment of u.pathname.split("/")) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new AppError("bad_request", "The address holds a percent-encoding that is not valid UTF-8");
    }
    const problem = problemOf(decoded);
    if (problem) throw new AppError("bad_request", `The address ${problem}`);
  }
  for (const [k, v] of u.searchParams) {
    const problem = problemOf(k) ?? problemOf(v);
    if (problem) throw new AppError("bad_request", `The query parameter "${problemOf(k) ? "(name)" : k}" ${problem}`, { field: problemOf(k) ? "query" : k });
  }
}
