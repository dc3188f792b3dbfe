import { Markdown } from "@/components/ui/markdown";
import type { LeasedItem } from "@/db/queries/assign";

/**
 * One item as a contributor sees it: the input and the output(s), as sanitised markdown (model outputs are
 * untrusted). Pairwise shows two outputs side by side in this person's randomised order.
 */
export function ItemView({ item, imageHosts = [] }: { item: LeasedItem; imageHosts?: readonly string[] }) {
  const pair = item.outputB !== null;
  const left = pair && item.swapped ? item.outputB! : item.output;
  const right = pair ? (item.swapped ? item.output : item.outputB!) : null;
  return (
    <div className="space-y-4">
      <section aria-label="Input" className="min-w-0 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
        <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-slate-500">Input</h2>
        {item.input ? <Markdown imageHosts={imageHosts} lang={item.language ?? undefined}>{item.input}</Markdown> : <p className="text-sm text-slate-500">No input.</p>}
      </section>
      {/* A is on the left and B on the right whatever the page's direction: the rating buttons say so ("left",
          "right"), and the swap that hides which model is which is applied to these positions. */}
      <div className={pair ? "grid gap-4 md:grid-cols-2" : ""} dir={pair ? "ltr" : undefined}>
        <section aria-label={pair ? "Response A" : "Output"} className="min-w-0 rounded-lg bg-white p-4 shadow-sm ring-1 ring-indigo-200">
          <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-indigo-700">{pair ? "Response A" : "Output"}</h2>
          <Markdown imageHosts={imageHosts} lang={item.language ?? undefined}>{left}</Markdown>
        </section>
        {right !== null && (
          <section aria-label="Response B" className="min-w-0 rounded-lg bg-white p-4 shadow-sm ring-1 ring-indigo-200">
            <h2 className="mb-2 text-xs font-semibold uppercase tracking-wide text-indigo-700">Response B</h2>
            <Markdown imageHosts={imageHosts} lang={item.language ?? undefined}>{right}</Markdown>
          </section>
        )}
      </div>
    </div>
  );
}
