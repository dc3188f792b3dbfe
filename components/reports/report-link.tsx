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
