import { Badge } from "@/components/ui/badge";
import { FormattedDate } from "@/components/ui/date";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";

export type ExportRow = { id: string; kind: string; format: string; rowCount: number; sha256: string | null; complete: boolean; createdAt: Date; params: Record<string, unknown> };

/** Past exports: each can be fetched again (same sha256 while the data is unchanged) and has its manifest. */
export function ExportsTable({ campaignId, rows }: { campaignId: string; rows: ExportRow[] }) {
  if (rows.length === 0) return <div className="p-5"><EmptyState title="No exports yet" description="Exports you or others make appear here with their checksums." /></div>;
  const base = `/api/v1/campaigns/${campaignId}/exports`;
  return (
    <Table caption="Past exports">
      <thead className="bg-slate-50">
        <tr><Th>When</Th><Th>What</Th><Th>Format</Th><Th numeric>Rows</Th><Th>sha256 of the download</Th><Th /></tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => {
          const format = r.kind === "bundle" ? String(r.params.format ?? "csv") : r.format;
          return (
            <tr key={r.id}>
              <Td><FormattedDate value={r.createdAt} /></Td>
              <Td className="font-medium text-slate-900">{r.kind}</Td>
              <Td>{r.kind === "bundle" ? `zip (${format})` : r.format}</Td>
              <Td numeric>{r.complete ? r.rowCount.toLocaleString("en") : "—"}</Td>
              <Td className="max-w-xs">
                {r.complete && r.sha256 ? <code className="block truncate font-mono text-xs" title={r.sha256}>{r.sha256}</code> : <Badge tone="amber">interrupted</Badge>}
              </Td>
              <Td className="space-x-3 text-right">
                {r.complete && <a className="font-semibold text-indigo-700 hover:underline" href={`${base}/manifests/${r.id}`} download>Manifest</a>}
                <a className="text-indigo-700 hover:underline" href={`${base}/${r.kind}?format=${format}`}>Download again</a>
              </Td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
