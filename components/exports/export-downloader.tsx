"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ProgressBar } from "@/components/ui/progress";
import { sha256Hex, verifyBundle, type BundleCheck } from "@/lib/export/verify-zip";

type Props = { campaignId: string; kinds: { name: string; title: string; rows: number }[]; formats: readonly string[] };
type Done = {
  phase: "done";
  filename: string;
  bytes: number;
  rows: number | null;
  /** sha256 of the bytes received, computed here. */
  sha256: string;
  /** sha256 the export's record (its manifest) gives for this download: the file's, or a bundle's zip's; null if unreadable. */
  recorded: string | null;
  /** Bundles: each file inside checked against manifest.json and SHA256SUMS. */
  bundle?: BundleCheck;
};
type Status = { phase: "idle" } | { phase: "running"; received: number; total: number; unit: "rows" | "bytes" } | Done | { phase: "error"; message: string };
type RecordJson = { files?: { sha256: string }[]; bundle?: { sha256: string } };

function filenameOf(res: Response, fallback: string): string {
  const m = /filename="([^"]+)"/.exec(res.headers.get("content-disposition") ?? "");
  return m?.[1] ?? fallback;
}

/**
 * Downloads through fetch so it can show progress: bytes against Content-Length when the server knows it
 * (Parquet, bundles), otherwise records (newlines) against the row count the server sends in X-Export-Rows. Then
 * it checks what arrived: the sha256 of the received bytes, computed here, against the one the export's manifest
 * records (a file's own; for a bundle, the zip's), and for a bundle every file inside against manifest.json.
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
      const received = new Uint8Array(await blob.arrayBuffer());
      const sha256 = await sha256Hex(received);
      const filename = filenameOf(res, `export.${format}`);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
      // The export's record, written when its last byte was produced: what the manifest says this download is.
      const exportId = res.headers.get("x-export-id");
      const record = exportId
        ? ((await fetch(`/api/v1/campaigns/${campaignId}/exports/manifests/${exportId}`).then((r) => (r.ok ? r.json() : null)).catch(() => null)) as RecordJson | null)
        : null;
      const recorded = (kind === "bundle" ? record?.bundle?.sha256 : record?.files?.[0]?.sha256) ?? null;
      const bundle = kind === "bundle" ? await verifyBundle(received) : undefined;
      setStatus({ phase: "done", filename, bytes, sha256, recorded, rows: kind === "bundle" ? null : rows, bundle });
      router.refresh();
    } catch (e) {
      setStatus({ phase: "error", message: e instanceof Error ? e.message : "Export failed" });
    }
  }

  const select = "mt-1 block max-w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="min-w-0 max-w-full text-sm">
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
      {status.phase === "done" && <Verification status={status} />}
      {status.phase === "error" && <p role="alert" className="rounded-md bg-rose-50 p-3 text-sm text-rose-900">{status.message}</p>}
    </div>
  );
}

const Mark = ({ ok }: { ok: boolean }) =>
  ok ? <span className="font-semibold text-emerald-700" aria-label="equal">✓ equal</span> : <span className="font-semibold text-rose-700" aria-label="different">✗ different</span>;

/** What arrived, checked: the download's sha256 beside the manifest's, and a bundle's files against manifest.json. */
function Verification({ status }: { status: Done }) {
  const equal = status.recorded !== null && status.recorded === status.sha256;
  const bundle = status.bundle;
  const allOk = equal && (!bundle || bundle.ok);
  return (
    <div role="status" className={`space-y-2 rounded-md p-3 text-sm ring-1 ring-inset ${allOk ? "bg-emerald-50 text-emerald-950 ring-emerald-200" : "bg-rose-50 text-rose-950 ring-rose-200"}`}>
      <p>
        Downloaded <strong>{status.filename}</strong> ({status.bytes.toLocaleString("en")} bytes{status.rows !== null ? `, ${status.rows.toLocaleString("en")} rows` : ""}).
      </p>
      <dl className="grid gap-x-3 gap-y-1 sm:grid-cols-[max-content_1fr]">
        <dt className="font-medium">sha256 of this download (computed in your browser)</dt>
        <dd><code className="break-all font-mono text-xs" data-testid="download-sha256">{status.sha256}</code></dd>
        <dt className="font-medium">{bundle ? "sha256 of the zip in this export's manifest" : "sha256 of the file in this export's manifest"}</dt>
        <dd>
          {status.recorded ? <code className="break-all font-mono text-xs" data-testid="manifest-sha256">{status.recorded}</code> : "not available"}{" "}
          <Mark ok={equal} />
        </dd>
        {bundle && (
          <>
            <dt className="font-medium">Files inside, against manifest.json and SHA256SUMS</dt>
            <dd data-testid="bundle-members">
              {bundle.ok ? `${bundle.members.length} of ${bundle.members.length} files have the sha256 listed` : bundle.reason}{" "}
              <Mark ok={bundle.ok} />
            </dd>
          </>
        )}
      </dl>
      <p className="text-xs">
        {bundle
          ? "The zip is built the same way every time (fixed file order and times), so the same data gives the same sha256 on every download. The zip cannot list its own hash: its manifest.json lists the hash of each file inside; the export's manifest (Past exports → Manifest) records the zip's."
          : "Exporting the same data again gives the same sha256."}
      </p>
    </div>
  );
}
