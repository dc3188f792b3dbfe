import { z } from "zod";
import type { ReferenceChoice, ReportParams } from "./types";

export const DECILE_CUTS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
export const DEFAULT_MIN_N = 20;

/**
 * Report parameters from a query string: `cuts=0.5,0.8` (researcher-set tail-bucket cut points; default
 * deciles of the tail score) and `minN` (strata with fewer labelled items show "not enough data").
 */
export const reportParamsSchema = z.object({
  cuts: z
    .string()
    .max(200)
    .optional()
    .transform((s, ctx) => {
      if (!s || s.trim() === "" || s === "deciles") return DECILE_CUTS;
      const cuts = s.split(",").map((x) => Number(x.trim()));
      const ok =
        cuts.length <= 19 &&
        cuts.every((c) => Number.isFinite(c) && c > 0 && c < 1) &&
        cuts.every((c, i) => i === 0 || c > cuts[i - 1]!);
      if (!ok) {
        ctx.addIssue({ code: "custom", message: "cut points must be up to 19 ascending numbers strictly between 0 and 1" });
        return z.NEVER;
      }
      return cuts;
    }),
  minN: z.coerce.number().int().min(2).max(10_000).optional().default(DEFAULT_MIN_N),
  // "bucket" (the bulk tail bucket, default) or "group:<value>".
  ref: z
    .string()
    .max(300)
    .optional()
    .transform((s, ctx): ReferenceChoice => {
      if (!s || s === "bucket") return { kind: "bucket" };
      if (s.startsWith("group:") && s.length > 6) return { kind: "group", group: s.slice(6) };
      ctx.addIssue({ code: "custom", message: 'ref must be "bucket" or "group:<group value>"' });
      return z.NEVER;
    }),
  run: z.uuid({ message: "run must be a routing run id" }).optional(),
});

export function parseReportParams(query: Record<string, string | string[] | undefined>): ReportParams {
  const pick = (k: string) => {
    const v = query[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const parsed = reportParamsSchema.parse({ cuts: pick("cuts"), minN: pick("minN"), ref: pick("ref"), run: pick("run") });
  return { cuts: parsed.cuts, minN: parsed.minN, reference: parsed.ref, ...(parsed.run ? { run: parsed.run } : {}) };
}

export const DEFAULT_REPORT_PARAMS: ReportParams = { cuts: DECILE_CUTS, minN: DEFAULT_MIN_N, reference: { kind: "bucket" } };

/** The parameters as a query string (for links, exports and the manifest). */
export function reportQuery(p: ReportParams): Record<string, string> {
  return {
    cuts: p.cuts.join(","),
    minN: String(p.minN),
    ref: p.reference.kind === "bucket" ? "bucket" : `group:${p.reference.group}`,
    ...(p.run ? { run: p.run } : {}),
  };
}

/** Cache key: the parameters that change the numbers, in a canonical form. */
export function reportCacheKey(p: ReportParams): string {
  return `v3|cuts=${p.cuts.join(",")}|minN=${p.minN}|ref=${reportQuery(p).ref}|run=${p.run ?? "latest"}`;
}

/** Bucket bounds from cut points: [0, c1), [c1, c2), …, [c_m, 1]. */
export function bucketBounds(cuts: readonly number[]): [number, number][] {
  const edges = [0, ...cuts, 1];
  return edges.slice(0, -1).map((lo, i) => [lo, edges[i + 1]!]);
}

const fmt = (x: number) => String(Math.round(x * 1000) / 1000);

export function bucketLabel([lo, hi]: [number, number]): string {
  return `${fmt(lo)}–${fmt(hi)}`;
}

/** Index of the bucket a tail score falls in (null when the item has no tail score). */
export function bucketIndex(tail: number | null, cuts: readonly number[]): number | null {
  if (tail === null || !Number.isFinite(tail)) return null;
  let i = 0;
  while (i < cuts.length && tail >= cuts[i]!) i++;
  return i;
}
