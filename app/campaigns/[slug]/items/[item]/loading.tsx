// One item's page while it loads: its outline (content beside the judge and routing cards, then the tables).
export default function Loading() {
  return (
    <div className="animate-pulse space-y-6" aria-busy="true" aria-label="Loading the item">
      <div className="space-y-2">
        <div className="h-4 w-48 rounded bg-slate-200" />
        <div className="h-8 w-56 rounded bg-slate-200" />
        <div className="h-5 w-80 rounded bg-slate-100" />
      </div>
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="h-64 rounded-lg bg-white ring-1 ring-slate-200" />
        <div className="space-y-6">
          <div className="h-48 rounded-lg bg-white ring-1 ring-slate-200" />
          <div className="h-56 rounded-lg bg-white ring-1 ring-slate-200" />
        </div>
      </div>
      <div className="h-40 rounded-lg bg-white ring-1 ring-slate-200" />
      <div className="h-40 rounded-lg bg-white ring-1 ring-slate-200" />
    </div>
  );
}
