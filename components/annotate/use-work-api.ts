"use client";
import type { LeasedItem } from "@/db/queries/assign";

export type ApiFailure = { status: number; code: string; message: string };
type Result<T> = { ok: true; data: T } | { ok: false; error: ApiFailure };

/** JSON POST to our own API (same origin, cookie session); errors come back as values, never thrown. */
export async function postJson<T>(url: string, body: unknown, method = "POST"): Promise<Result<T>> {
  try {
    const res = await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
    const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } } & T;
    if (!res.ok) return { ok: false, error: { status: res.status, code: json.error?.code ?? "error", message: json.error?.message ?? `Request failed (${res.status})` } };
    return { ok: true, data: json };
  } catch {
    return { ok: false, error: { status: 0, code: "network", message: "Network error: check your connection and try again." } };
  }
}

export const workApi = (slug: string) => {
  const base = `/api/campaigns/${encodeURIComponent(slug)}`;
  return {
    next: () => postJson<{ item: LeasedItem | null }>(`${base}/assignments/next`, {}),
    submit: (assignmentId: number, value: number | string, rationale: string) =>
      postJson<{ next: LeasedItem | null }>(`${base}/judgments`, { assignmentId, value, rationale: rationale || null }),
    skip: (assignmentId: number, reason: string) => postJson<{ next: LeasedItem | null }>(`${base}/assignments/${assignmentId}/skip`, { reason: reason || null }),
    flag: (assignmentId: number, reason: string, note: string) =>
      postJson<{ next: LeasedItem | null }>(`${base}/assignments/${assignmentId}/flag`, { reason, note: note || null }),
    edit: (judgmentId: number, value: number | string, rationale: string | null) =>
      postJson<{ ok: true }>(`${base}/judgments/${judgmentId}`, { value, rationale }, "PATCH"),
    join: () => postJson<{ joined: boolean }>(`${base}/join`, {}),
  };
};
