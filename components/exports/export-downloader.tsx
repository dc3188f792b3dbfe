"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ProgressBar } from "@/components/ui/progress";

type Props = { campaignId: string; kinds: { name: string; title: string; rows: number }[]; formats: readonly string[] };
type Status = { phase: "idle" } | { phase: "running"; received: number; total: number; unit: "rows" | "bytes" } | { phase: "done"; filename: string; sha256: string; rows: number | null } | { phase: "error"; message: string };

function filenameOf(res: Response, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "");
  return m?.[1] ?? fallback;
}

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Downloads through fetch so it can show progress: bytes against Content-Length when the server knows it
 * (Parquet), otherwise records (newlines) against the row count the server sends in X-Export-Rows. The sha256
 * of the received file is computed in the browser, to compare with the manifest.
 */
export function ExportDownloader({ campaignId, kinds, formats }: Props) {
  const router = useRouter();
  const [kind, setKind] = useState(kinds[0]?.name ?? "items");
  const [format, setFormat] = useState<string>(formats[0] ?? "csv");
  const [status, setStatus] = useState<Status>({ phase: "idle" });
  const url = `/api/v1/campaigns/${campaignId}/exports/${kind}?format=${format}`;

  async function download() {
    setStatus({ phase: "running", received: 0, total: 0, unit: "rows" });
    try {
      const res = await fetch(url);
      if (!res.ok || !res.body) {
        const err = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(err?.error?.message ?? `Export failed (${res.status})`);
      }
      const length = Number(res.headers.get("content-length") ?? 0);
      const rows = Number(res.headers.get("x-export-rows") ?? 0);
      const byRows = !length && (format === "csv" || format === "jsonl") && kind !== "bundle";
      const unit = byRows ? "rows" : "bytes";
      const total = byRows ? rows : length;
      const chunks: Uint8Array<ArrayBuffer>[] = [];
      let bytes = 0;
      let newlines = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value as Uint8Array<ArrayBuffer>);
        bytes += value.byteLength;
        if (byRows) for (const b of value) if (b === 10) newlines++;
        // CSV has a header line; quoted newlines inside cells can overshoot, so the count is capped at the total.
        const received = byRows ? Math.min(total, Math.max(0, newlines - (format === "csv" ? 1 : 0))) : bytes;
        setStatus({ phase: "running", received, total, unit });
      }
      const blob = new Blob(chunks, { type: res.headers.get("content-type") ?? "application/octet-stream" });
      const sha256 = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
      const filename = filenameOf(res, `export.${format}`);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
      setStatus({ phase: "done", filename, sha256, rows: kind === "bundle" ? null : rows });
      router.refresh();
    } catch (e) {
      setStatus({ phase: "error", message: e instanceof Error ? e.message : "Export failed" });
    }
  }

  const select = "mt-1 block rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          <span className="block font-medium text-slate-800">What</span>
          <select className={select} value={kind} onChange={(e) => setKind(e.target.value)}>
            {kinds.map((k) => (
              <option key={k.name} value={k.name}>{k.title}{k.name !== "bundle" ? ` (${k.rows.toLocaleString("en")} rows)` : ""}</option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          <span className="block font-medium text-slate-800">Format</span>
          <select className={select} value={format} onChange={(e) => setFormat(e.target.value)}>
            {formats.map((f) => (
              <option key={f} value={f}>{f.toUpperCase()}</option>
            ))}
          </select>
        </label>
        <Button type="button" onClick={download} disabled={status.phase === "running"}>
          {status.phase === "running" ? "Exporting…" : "Download"}
        </Button>
        <a href={url} className="pb-2 text-sm text-indigo-700 hover:underline">Direct link</a>
      </div>
      {status.phase === "running" && (
        <div aria-live="polite">
          <ProgressBar value={status.received} max={status.total || 1} label={status.total ? `${status.received.toLocaleString("en")} of ${status.total.toLocaleString("en")} ${status.unit}` : `${status.received.toLocaleString("en")} bytes received`} />
        </div>
      )}
      {status.phase === "done" && (
        <p role="status" className="rounded-md bg-green-50 p-3 text-sm text-green-900">
          Downloaded <strong>{status.filename}</strong>{status.rows !== null ? ` (${status.rows.toLocaleString("en")} rows)` : ""}. sha256 <code className="break-all font-mono text-xs">{status.sha256}</code>; compare it with the manifest below.
        </p>
      )}
      {status.phase === "error" && <p role="alert" className="rounded-md bg-rose-50 p-3 text-sm text-rose-900">{status.message}</p>}
    </div>
  );
}
