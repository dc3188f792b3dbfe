import Link from "next/link";

export function Pagination({
  page,
  pageSize,
  total,
  basePath,
  params = {},
}: {
  page: number;
  pageSize: number;
  total: number;
  basePath: string;
  params?: Record<string, string>;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const href = (p: number) => `${basePath}?${new URLSearchParams({ ...params, page: String(p) }).toString()}`;
  const link = "rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50";
  return (
    <nav className="flex items-center justify-between" aria-label="Pagination">
      <p className="text-sm text-slate-600">
        Page {page} of {pages} · {total.toLocaleString("en")} in all
      </p>
      <div className="flex gap-2">
        {page > 1 && <Link className={link} href={href(page - 1)}>Previous</Link>}
        {page < pages && <Link className={link} href={href(page + 1)}>Next</Link>}
      </div>
    </nav>
  );
}
