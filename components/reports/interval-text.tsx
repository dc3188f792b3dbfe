import type { IntervalValue } from "@/lib/report/types";

/** An estimate with its 95% interval underneath in small type, so wide tables stay readable. */
export function IntervalText({ iv, kind }: { iv: IntervalValue | null; kind: "share" | "coef" | "signed" }) {
  if (!iv) return <span className="text-slate-500">—</span>;
  const f = (x: number) => (kind === "share" ? `${Math.round(x * 100)}%` : `${kind === "signed" && x > 0 ? "+" : ""}${x.toFixed(2)}`);
  return (
    <span className="inline-flex flex-col items-end leading-tight">
      <span className="font-medium text-slate-900">{f(iv.estimate)}</span>
      <span className="text-xs text-slate-500">
        {f(iv.lower)} to {f(iv.upper)}
      </span>
    </span>
  );
}
