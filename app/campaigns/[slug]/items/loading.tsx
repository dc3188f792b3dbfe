// The item browser while its page loads: the layout's outline, so the filter and table do not jump into place.
export default function Loading() {
  return (
    <div className="animate-pulse space-y-5" aria-busy="true" aria-label="Loading items">
      <div className="space-y-2">
        <div className="h-4 w-40 rounded bg-slate-200" />
        <div className="h-8 w-32 rounded bg-slate-200" />
        <div className="h-4 w-[32rem] max-w-full rounded bg-slate-200" />
      </div>
      <div className="grid grid-cols-2 gap-3 rounded-lg bg-white p-5 ring-1 ring-slate-200 sm:grid-cols-3 lg:grid-cols-6">
        {Array.from({ length: 12 }, (_, i) => (
          <div key={i} className="h-12 rounded bg-slate-100" />
        ))}
      </div>
      <div className="space-y-2 rounded-lg bg-white p-4 ring-1 ring-slate-200">
        {Array.from({ length: 10 }, (_, i) => (
          <div key={i} className="h-8 rounded bg-slate-100" />
        ))}
      </div>
    </div>
  );
}
