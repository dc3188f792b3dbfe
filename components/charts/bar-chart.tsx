// A plain SVG bar chart with the same figures in a table behind it (screen readers and people who want
// the numbers). Server-rendered; no chart library needed for bars.
export type Bar = { label: string; value: number; hint?: string };

export function BarChart({ title, bars, xLabel, yLabel = "Items", color = "#6366f1" }: { title: string; bars: Bar[]; xLabel: string; yLabel?: string; color?: string }) {
  const W = 560;
  const H = 200;
  const pad = { l: 44, r: 8, t: 8, b: 36 };
  const max = Math.max(1, ...bars.map((b) => b.value));
  const bw = (W - pad.l - pad.r) / Math.max(1, bars.length);
  const y = (v: number) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const ticks = [0, 0.5, 1].map((f) => Math.round(max * f));
  return (
    <figure className="space-y-2">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} className="h-auto w-full">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="stroke-slate-200" />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" fontSize="11" className="fill-slate-500">{t.toLocaleString("en")}</text>
          </g>
        ))}
        {bars.map((b, i) => {
          const h = H - pad.b - y(b.value);
          return (
            <g key={b.label}>
              <rect x={pad.l + i * bw + 2} y={y(b.value)} width={Math.max(1, bw - 4)} height={Math.max(0, h)} fill={color} rx="2">
                <title>{`${b.label}: ${b.value.toLocaleString("en")}`}</title>
              </rect>
              {(bars.length <= 12 || i % 2 === 0) && (
                <text x={pad.l + i * bw + bw / 2} y={H - pad.b + 14} textAnchor="middle" fontSize="10" className="fill-slate-500">{b.label}</text>
              )}
            </g>
          );
        })}
        <text x={(W + pad.l) / 2} y={H - 4} textAnchor="middle" fontSize="11" className="fill-slate-700">{xLabel}</text>
        <text x={12} y={H / 2} textAnchor="middle" fontSize="11" className="fill-slate-700" transform={`rotate(-90 12 ${H / 2})`}>{yLabel}</text>
      </svg>
      <details className="text-sm">
        <summary className="cursor-pointer text-indigo-700">Show data: {title}</summary>
        <table className="mt-2 min-w-full text-sm">
          <caption className="sr-only">{title}</caption>
          <thead><tr><th scope="col" className="text-left text-slate-500">{xLabel}</th><th scope="col" className="text-right text-slate-500">{yLabel}</th></tr></thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.label}><td>{b.label}</td><td className="text-right tabular-nums">{b.value.toLocaleString("en")}</td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
