"use client";

import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";

export type IntervalSeries = { key: string; name: string; color: string };
/** One row per category; for each series key: the estimate, and `${key}Err` = [below, above] offsets. */
export type IntervalDatum = { label: string } & Record<string, number | null | string | [number, number]>;

/**
 * Bars with 95% interval whiskers (recharts). Decorative for assistive tech: every chart on the report page
 * is followed by a table with the same numbers, which is what screen readers read.
 */
export function IntervalBarChart({
  data,
  series,
  domain,
  percent,
  height = 300,
}: {
  data: IntervalDatum[];
  series: IntervalSeries[];
  domain: [number, number];
  percent?: boolean;
  height?: number;
}) {
  const tick = (v: number) => (percent ? `${Math.round(v * 100)}%` : v.toFixed(1));
  return (
    // inert as well as aria-hidden: the chart library renders focusable parts, and its table below carries the data.
    <div aria-hidden inert className="w-full" data-testid="interval-chart">
      <BarChart responsive style={{ width: "100%", height }} data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }} barGap={2}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="label" tick={{ fontSize: 12, fill: "#475569" }} />
        <YAxis domain={domain} tickFormatter={tick} tick={{ fontSize: 12, fill: "#475569" }} width={44} />
        {domain[0] < 0 && <ReferenceLine y={0} stroke="#94a3b8" />}
        <Tooltip formatter={(v) => (typeof v === "number" ? tick(v) : String(v))} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {series.map((s) => (
          <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.color} isAnimationActive={false}>
            <ErrorBar dataKey={`${s.key}Err`} width={6} strokeWidth={1.5} stroke="#0f172a" />
          </Bar>
        ))}
      </BarChart>
    </div>
  );
}
