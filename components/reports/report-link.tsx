import Link from "next/link";

/** Link from the campaign page to its disagreement report, for people who may read reports. */
export function ReportLink({ slug, show }: { slug: string; show: boolean }) {
  if (!show) return null;
  return (
    <Link href={`/campaigns/${encodeURIComponent(slug)}/report`} className="inline-flex items-center rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500">
      Disagreement report →
    </Link>
  );
}

/** Link to the budget planner (labels needed per bucket and group), for people who may read reports. */
export function PlanLink({ slug, show }: { slug: string; show: boolean }) {
  if (!show) return null;
  return (
    <Link href={`/campaigns/${encodeURIComponent(slug)}/plan`} className="inline-flex items-center rounded-md px-3 py-1.5 text-sm font-semibold text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50">
      Budget planner
    </Link>
  );
}
