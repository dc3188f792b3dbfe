import type { IntervalValue } from "@/lib/report/types";

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** "57% (48–66%)" for a proportion with its interval; an em dash when missing. */
export function fmtShare(iv: IntervalValue | null): string {
  if (!iv) return "—";
  return `${pct(iv.estimate)} (${pct(iv.lower)}–${pct(iv.upper)})`;
}

/** "0.76 (0.67–0.84)" for a coefficient with its interval. */
export function fmtCoef(iv: IntervalValue | null, signed = false): string {
  if (!iv) return "—";
  const f = (x: number) => (signed && x > 0 ? "+" : "") + x.toFixed(2);
  return `${f(iv.estimate)} (${f(iv.lower)} to ${f(iv.upper)})`;
}

export const NOT_ENOUGH = "not enough data";
