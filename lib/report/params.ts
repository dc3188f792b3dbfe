import { z } from "zod";
import type { ReportParams } from "./types";

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
});

export function parseReportParams(query: Record<string, string | string[] | undefined>): ReportParams {
  const pick = (k: string) => {
    const v = query[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const parsed = reportParamsSchema.parse({ cuts: pick("cuts"), minN: pick("minN") });
  return { cuts: parsed.cuts, minN: parsed.minN };
}

/** Cache key: the parameters that change the numbers, in a canonical form. */
export function reportCacheKey(p: ReportParams): string {
  return `v1|cuts=${p.cuts.join(",")}|minN=${p.minN}`;
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
