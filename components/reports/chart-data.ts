import type { IntervalValue } from "@/lib/report/types";
import type { IntervalDatum } from "./interval-chart";

/** Chart row fields for one interval: the estimate and recharts' [below, above] whisker offsets. */
export function intervalFields(key: string, iv: IntervalValue | null): IntervalDatum {
  if (!iv) return { label: "", [key]: null, [`${key}Err`]: [0, 0] } as IntervalDatum;
  return { label: "", [key]: iv.estimate, [`${key}Err`]: [Math.max(0, iv.estimate - iv.lower), Math.max(0, iv.upper - iv.estimate)] } as IntervalDatum;
}

export function chartRow(label: string, fields: [string, IntervalValue | null][]): IntervalDatum {
  return Object.assign({}, ...fields.map(([k, iv]) => intervalFields(k, iv)), { label }) as IntervalDatum;
}
