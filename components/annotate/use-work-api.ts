"use client";
import type { LeasedItem } from "@/db/queries/assign";

export type ApiFailure = { status: number; code: string; message: string; retryAfterS?: number };
type Result<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** JSON POST to our own API (same origin, cookie session); errors come back as values, never thrown. */
export async function postJson<T>(url: string, body: unknown, method = "POST"): Promise<Result<T>> {
  try {
    const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & T;
    if (!res.ok) {
      const retryAfter = Number(res.headers.get("retry-after"));
      const error: ApiFailure = { status: res.status, code: json.error?.code ?? "error", message: json.error?.message ?? `Request failed (${res.status})` };
      if (Number.isFinite(retryAfter) && retryAfter >= 0) error.retryAfterS = retryAfter;
      return { ok: false, error };
    }
    return { ok: true, data: json };
  } catch {
    return { ok: false, error: { status: 0, code: "network", message: "Network error: check your connection and try again." } };
  }
}

/** Failures that say nothing about the request itself: the network or the server is away for a while. */
export const isTransient = (e: ApiFailure) => e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504;

/** Wait before attempt `attempt + 1`: the server's Retry-After when it gave one, else 1, 2, 4, 8 s; never over 10 s. */
export function retryDelayMs(attempt: number, retryAfterS?: number): number {
  const s = retryAfterS !== undefined ? Math.max(0.5, retryAfterS) : 2 ** Math.min(attempt - 1, 4);
  return Math.min(10, s) * 1000;
}

/**
 * Sends `request` until it is answered by a live server: a transient failure waits (calling `onWait` so the page
 * can say so) and sends the same request again; any real answer, success or refusal, ends the loop. Only for
 * requests the server treats as idempotent (a submit with the same assignment and value is replayed, not doubled).
 * `signal` stops waiting (the page went away); the last failure is then returned.
 */
export async function untilAnswered<T>(
  request: () => Promise<Result<T>>,
  onWait: (attempt: number, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<Result<T>> {
  for (let attempt = 1; ; attempt++) {
    const r = await request();
    if (r.ok || !isTransient(r.error) || signal?.aborted) return r;
    const delay = retryDelayMs(attempt, r.error.retryAfterS);
    onWait(attempt, delay);
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (signal?.aborted) return r;
  }
}

export const workApi = (slug: string) => {
  const base = `/api/campaigns/${encodeURIComponent(slug)}`;
  return {
    next: () => postJson<{ item: LeasedItem | null }>(`${base}/assignments/next`, {}),
    submit: (assignmentId: number, value: number | string, rationale: string) =>
      postJson<{ next: LeasedItem | null; nextUnavailable?: true }>(`${base}/judgments`, { assignmentId, value, rationale: rationale || null }),
    skip: (assignmentId: number, reason: string) => postJson<{ next: LeasedItem | null }>(`${base}/assignments/${assignmentId}/skip`, { reason: reason || null }),
    flag: (assignmentId: number, reason: string, note: string) =>
      postJson<{ next: LeasedItem | null }>(`${base}/assignments/${assignmentId}/flag`, { reason, note: note || null }),
    edit: (judgmentId: number, value: number | string, rationale: string | null) =>
      postJson<{ ok: true }>(`${base}/judgments/${judgmentId}`, { value, rationale }, "PATCH"),
    join: () => postJson<{ joined: boolean }>(`${base}/join`, {}),
  };
};
