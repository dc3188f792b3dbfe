import { z } from "zod";
import type { AuditFilter } from "./query";

// The audit trail's filters, as the page's address and the CSV's query string hold them (one parser for both, so
// "Export CSV" exports exactly what the page lists). Dates are calendar days in UTC; `to` is inclusive.

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD").refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "not a date");

export const auditQuerySchema = z.object({
  action: z.string().max(80).optional(),
  actor: z.string().max(254).optional(),
  campaign: z.string().max(100).optional(),
  from: day.optional(),
  to: day.optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/** The query's filters with empty fields dropped, as URL parameters (for links, pagination and the CSV). */
export function auditQueryParams(q: AuditQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ["action", "actor", "campaign", "from", "to"] as const) {
    const v = q[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/** Lenient parse for the page: a field that does not parse is dropped (and named), the rest still filter. */
export function parseAuditQueryLenient(input: Record<string, string | string[] | undefined>): { query: AuditQuery; invalid: string[] } {
  const query: AuditQuery = {};
  const invalid: string[] = [];
  for (const k of ["action", "actor", "campaign", "from", "to"] as const) {
    const raw = input[k];
    const v = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!v) continue;
    const r = auditQuerySchema.shape[k].safeParse(v);
    if (r.success && r.data) query[k] = r.data;
    else invalid.push(k);
  }
  return { query, invalid };
}

const DAY_MS = 86_400_000;

/** The filter the queries take: `from` at 00:00 UTC, `to` up to the end of its day (UTC). */
export function auditFilterOf(q: AuditQuery): AuditFilter {
  return {
    action: q.action || undefined,
    actor: q.actor || undefined,
    campaign: q.campaign || undefined,
    from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
    to: q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) + DAY_MS) : undefined,
  };
}
