"use client";

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center" role="alert">
      <h1 className="text-2xl font-bold text-slate-900">Something went wrong</h1>
      <p className="mt-2 text-slate-600">The error was logged. Try again; if it keeps happening, tell the campaign owner.</p>
      <button type="button" onClick={reset} className="mt-6 rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white">
        Try again
      </button>
    </div>
  );
}
