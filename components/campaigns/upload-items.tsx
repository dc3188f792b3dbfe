"use client";

import { useEffect, useRef, useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { importOutcome, importSentence, importTone, type ImportStatus } from "@/lib/ingest/status";
import { RoutingStatusPanel } from "./routing-status";

type Report = {
  importId: string;
  status: ImportStatus;
  rowsTotal: number;
  rowsNew: number;
  rowsUpdated: number;
  rowsRejected: number;
  rowsUnchanged?: number;
  itemsVersioned?: number;
  rowsReplaced?: number;
  warnings?: { line: number; externalId?: string; reason: string }[];
  errors: { line: number; externalId?: string; reason: string }[];
  errorsTruncated: boolean;
  errorReport: string;
};
const TYPES: Record<string, string> = { jsonl: "application/x-ndjson", ndjson: "application/x-ndjson", csv: "text/csv", json: "application/json" };

/** Upload with progress (XHR reports upload progress; fetch does not), then the import report. */
export function UploadItems({ campaignId, slug, maxMb, rubricLocked = false }: { campaignId: string; slug: string; maxMb: number; rubricLocked?: boolean }) {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  // Whether the chosen file looks like it holds prior ratings (its first megabyte names human_ratings).
  const [hasRatings, setHasRatings] = useState(false);
  const chosen = useRef<File | null>(null);
  function choose(f: File | null) {
    setFile(f);
    setHasRatings(false);
    chosen.current = f;
    f?.slice(0, 1 << 20)
      .text()
      .then((t) => chosen.current === f && setHasRatings(/human_ratings|humanRatings/.test(t)))
      .catch(() => {});
  }
  // Marks the form as hydrated: a file chosen before that is not seen by this component (tests wait for it).
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.setAttribute("data-ready", "true");
  }, []);
  const [atomic, setAtomic] = useState(false);
  const [pct, setPct] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<Report | null>(null);

  function upload(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setReport(null);
    if (!file) return setError("Choose a file first.");
    const ext = file.name.toLowerCase().split(".").pop() ?? "";
    if (!TYPES[ext]) return setError("Choose a .jsonl, .csv or .json file.");
    if (file.size > maxMb * 1024 * 1024) return setError(`The file is over the ${maxMb} MB limit.`);
    const xhr = new XMLHttpRequest();
    const q = new URLSearchParams({ filename: file.name, ...(atomic ? { mode: "all-or-nothing" } : {}) });
    xhr.open("POST", `/api/v1/campaigns/${campaignId}/items?${q}`);
    xhr.setRequestHeader("Content-Type", TYPES[ext]!);
    xhr.upload.onprogress = (ev) => ev.lengthComputable && setPct(Math.round((100 * ev.loaded) / ev.total));
    xhr.onerror = () => { setPct(null); setError("The upload failed (network error). Nothing was imported."); };
    xhr.onload = () => {
      setPct(null);
      let body: { import?: Report; error?: { message: string } } = {};
      try { body = JSON.parse(xhr.responseText) as typeof body; } catch { /* handled below */ }
      if (body.import) { setReport(body.import); router.refresh(); }
      else setError(body.error?.message ?? `The server answered ${xhr.status}.`);
    };
    setPct(0);
    xhr.send(file);
  }

  return (
    <div className="space-y-5">
      <form ref={formRef} onSubmit={upload} className="space-y-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
        <div className="space-y-1">
          <label htmlFor="items-file" className="block text-sm font-medium text-slate-800">Items file (JSONL, CSV or JSON array, up to {maxMb} MB)</label>
          <input id="items-file" type="file" accept=".jsonl,.ndjson,.csv,.json" onChange={(e) => choose(e.target.files?.[0] ?? null)} className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:font-semibold file:text-indigo-700" />
        </div>
        <label className="flex items-center gap-2 text-sm text-slate-800">
          <input type="checkbox" checked={atomic} onChange={(e) => setAtomic(e.target.checked)} className="size-4 rounded border-slate-300" />
          All or nothing: import nothing if any row is invalid
        </label>
        {pct !== null && (
          <div>
            <div className="flex justify-between text-xs text-slate-600"><span>{pct < 100 ? "Uploading…" : "Processing…"}</span><span className="tabular-nums">{pct}%</span></div>
            <div className="mt-1 h-2 rounded-full bg-slate-100" role="progressbar" aria-label="Upload progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
              <div className="h-2 rounded-full bg-indigo-500 transition-all" style={{ width: `${pct}%` }} />
            </div>
          </div>
        )}
        {hasRatings && !rubricLocked && (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="ratings-warning">
            This file has prior ratings (human_ratings). They are imported as judgments, and the first judgment locks this campaign&apos;s rubric.
          </p>
        )}
        {error && <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">{error}</p>}
        <Button type="submit" disabled={pct !== null}>{pct !== null ? "Importing…" : "Upload and import"}</Button>
      </form>
      {report && <ImportReport report={report} slug={slug} campaignId={campaignId} />}
    </div>
  );
}

const SENTENCE_TONE: Record<ImportStatus, string> = {
  succeeded: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  partial: "bg-amber-50 text-amber-900 ring-amber-200",
  failed: "bg-rose-50 text-rose-800 ring-rose-200",
  empty: "bg-slate-100 text-slate-800 ring-slate-200",
  running: "bg-slate-100 text-slate-800 ring-slate-200",
};

function ImportReport({ report, slug, campaignId }: { report: Report; slug: string; campaignId: string }) {
  const outcome = importOutcome(report);
  // Rows went in (all of them, or the good ones): routing follows.
  const ok = outcome === "succeeded" || outcome === "partial";
  return (
    <section aria-labelledby="import-report" className="space-y-4 rounded-lg bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <div className="flex items-center gap-2">
        <h2 id="import-report" className="text-base font-semibold text-slate-900">Import report</h2>
        <Badge tone={importTone[outcome]}>{outcome}</Badge>
      </div>
      <p className={`rounded-md px-3 py-2 text-sm ring-1 ring-inset ${SENTENCE_TONE[outcome]}`} role="status" data-import-status={outcome}>
        {importSentence(report)}
      </p>
      {ok && ((report.rowsUnchanged ?? 0) > 0 || (report.itemsVersioned ?? 0) > 0 || (report.rowsReplaced ?? 0) > 0) && (
        <p className="text-sm text-slate-600">
          {[
            (report.rowsUnchanged ?? 0) > 0 && `${report.rowsUnchanged!.toLocaleString("en")} unchanged (nothing written)`,
            (report.itemsVersioned ?? 0) > 0 && `${report.itemsVersioned!.toLocaleString("en")} items changed content: each got a new version, and their earlier ratings stay with the old one`,
            (report.rowsReplaced ?? 0) > 0 && `${report.rowsReplaced!.toLocaleString("en")} rows replaced by a later row with the same external_id`,
          ]
            .filter(Boolean)
            .join("; ")}
          .
        </p>
      )}
      <dl className="grid grid-cols-4 gap-3 text-sm">
        <div><dt className="text-slate-500">Rows</dt><dd className="text-xl font-semibold tabular-nums">{report.rowsTotal.toLocaleString("en")}</dd></div>
        <div><dt className="text-slate-500">New</dt><dd className="text-xl font-semibold tabular-nums">{report.rowsNew.toLocaleString("en")}</dd></div>
        <div><dt className="text-slate-500">Updated</dt><dd className="text-xl font-semibold tabular-nums">{report.rowsUpdated.toLocaleString("en")}</dd></div>
        <div><dt className="text-slate-500">Rejected</dt><dd className="text-xl font-semibold tabular-nums">{report.rowsRejected.toLocaleString("en")}</dd></div>
      </dl>
      {report.errors.length > 0 && (
        <div className="space-y-2">
          <table className="min-w-full text-sm">
            <caption className="text-left text-sm font-medium text-slate-800">Rejected rows{report.rowsRejected > report.errors.length ? ` (first ${report.errors.length})` : ""}</caption>
            <thead><tr><th scope="col" className="text-left text-slate-500">Line</th><th scope="col" className="text-left text-slate-500">External id</th><th scope="col" className="text-left text-slate-500">Reason</th></tr></thead>
            <tbody>{report.errors.map((e, i) => <tr key={i}><td className="tabular-nums">{e.line}</td><td>{e.externalId ?? "—"}</td><td>{e.reason}</td></tr>)}</tbody>
          </table>
          <a href={report.errorReport} className="text-sm font-semibold text-indigo-700 hover:underline" download>Download the error report (CSV)</a>
        </div>
      )}
      {ok && (
        <>
          <RoutingStatusPanel campaignId={campaignId} />
          <Link href={`/campaigns/${slug}/overview`} className="inline-block text-sm font-semibold text-indigo-700 hover:underline">See the overview →</Link>
        </>
      )}
    </section>
  );
}
