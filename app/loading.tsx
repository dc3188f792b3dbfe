export default function Loading() {
  return (
    <div className="animate-pulse space-y-4" aria-busy="true" aria-label="Loading">
      <div className="h-8 w-64 rounded bg-slate-200" />
      <div className="h-4 w-96 rounded bg-slate-200" />
      <div className="grid gap-4 md:grid-cols-2">
        <div className="h-40 rounded-lg bg-slate-200" />
        <div className="h-40 rounded-lg bg-slate-200" />
      </div>
    </div>
  );
}
