import type { LeasedItem } from "@/db/queries/assign";
import { scaleOptions } from "@/lib/assign/shortcuts";
import type { Rubric } from "@/lib/validation/campaign";
import { ItemView } from "./item-view";

/**
 * The rating page as a contributor sees it, read-only: the same ItemView (input and outputs as sanitised markdown,
 * blind: nothing of the judge), the rubric's buttons, the rationale box and the guidelines beside, all disabled.
 * The item is built from its content fields alone, so no judge field can reach it.
 */
export function RatingPreview({ item, rubric, guidelines, imageHosts }: { item: Pick<LeasedItem, "itemId" | "input" | "output" | "outputB">; rubric: Rubric; guidelines: React.ReactNode; imageHosts: readonly string[] }) {
  const leased: LeasedItem = { assignmentId: 0, itemId: item.itemId, swapped: false, leasedAt: "", expiresAt: "", input: item.input, output: item.output, outputB: item.outputB, isGold: false, language: null };
  const options = scaleOptions(rubric, false);
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div className="min-w-0 space-y-4">
        <ItemView item={leased} imageHosts={imageHosts} />
        <fieldset disabled className="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200">
          <legend className="sr-only">Rating (preview: nothing can be submitted)</legend>
          <div className="grid grid-cols-2 gap-2 sm:flex sm:flex-wrap">
            {options.map((o) => (
              <button key={String(o.value)} type="button" className="flex min-h-14 min-w-16 flex-col items-center justify-center rounded-lg bg-white px-4 py-2 text-base font-semibold text-slate-900 ring-1 ring-inset ring-slate-300 sm:flex-1">
                <span>{o.label}</span>
                {o.hint && <span className="text-xs font-normal text-slate-500">{o.hint}</span>}
                {o.key && o.key !== o.label.toLowerCase() && <kbd className="mt-0.5 rounded bg-slate-100 px-1 font-mono text-[10px] font-normal text-slate-500">{o.key.toUpperCase()}</kbd>}
              </button>
            ))}
          </div>
          <label htmlFor="preview-rationale" className="mt-4 block text-sm font-medium text-slate-700">Why? (optional)</label>
          <textarea id="preview-rationale" rows={2} className="mt-1 block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300" />
          <div className="mt-4 flex flex-wrap gap-2 opacity-60">
            <span className="rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white">Submit and next</span>
            <span className="rounded-md bg-white px-3.5 py-2 text-sm font-semibold text-slate-900 ring-1 ring-inset ring-slate-300">Skip</span>
            <span className="rounded-md bg-white px-3.5 py-2 text-sm font-semibold text-slate-900 ring-1 ring-inset ring-slate-300">Flag</span>
          </div>
        </fieldset>
      </div>
      <aside aria-label="Guidelines" className="lg:sticky lg:top-4 lg:self-start">
        <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <p className="px-4 py-3 text-sm font-semibold text-slate-900">Guidelines</p>
          <div className="max-h-[70vh] overflow-y-auto border-t border-slate-100 px-4 py-3">{guidelines}</div>
        </div>
      </aside>
    </div>
  );
}
