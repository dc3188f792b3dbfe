import type { Report } from "@/lib/report/types";
import { GlossaryLink } from "./glossary";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { chartRow } from "./chart-data";
import { IntervalText } from "./interval-text";
import { IntervalBarChart } from "./interval-chart";
import { NOT_ENOUGH } from "./format";

/** The chart a reader sees first: judge–human agreement by tail bucket, human–human agreement beside it. */
export function TailGap({ report }: { report: Report }) {
  const shown = report.buckets.filter((b) => b.enough);
  if (report.buckets.length === 0) {
    return <EmptyState title="No tail scores yet" description="Compute tail scores for the campaign's items to see the tail gap." />;
  }
  const data = shown.map((b) => chartRow(b.key, [["judge", b.judgeAgreement], ["human", b.humanAgreement]]));
  return (
    <div className="space-y-4">
      {shown.length > 0 ? (
        <figure aria-label="Tail-gap chart">
          <IntervalBarChart
            data={data}
            domain={[0, 1]}
            percent
            series={[
              { key: "judge", name: "Judge agrees with human consensus (routing-corrected)", color: "#6366f1" },
              { key: "human", name: "Two humans agree (the human ceiling)", color: "#64748b" },
            ]}
          />
          <ul className="mt-2 flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-700" aria-label="Chart legend">
            <li className="flex items-center gap-1.5"><span aria-hidden className="inline-block size-3 rounded-sm bg-[#6366f1]" />Judge agrees with the human consensus (routing-corrected)</li>
            <li className="flex items-center gap-1.5"><span aria-hidden className="inline-block size-3 rounded-sm bg-[#64748b]" /><strong>Human ceiling</strong>: how often two people agree<GlossaryLink term="ceiling" label="the human ceiling" /></li>
          </ul>
          <figcaption className="mt-1 text-xs text-slate-500">
            Exact agreement by tail-score bucket (rarer to the right), with 95% intervals. Buckets with fewer than {report.params.minN} rated items are left out of the chart.
          </figcaption>
        </figure>
      ) : (
        <EmptyState title="Not enough rated items yet" description={`Each tail bucket needs at least ${report.params.minN} rated items.`} />
      )}
      <Table caption="Judge–human agreement by tail bucket">
        <thead className="bg-slate-50">
          <tr>
            <Th>Tail bucket</Th>
            <Th numeric>Items</Th>
            <Th numeric>Rated</Th>
            <Th numeric>Judge agrees<GlossaryLink term="agreement" label="judge agreement" /></Th>
            <Th numeric>Humans agree<GlossaryLink term="ceiling" label="the human ceiling" /></Th>
            <Th numeric>Human α<GlossaryLink term="alpha" label="α" /></Th>
            <Th numeric>Judge κ<GlossaryLink term="kappa" label="κ" /></Th>
            <Th>vs bulk<GlossaryLink term="q-bh" label="q (Benjamini–Hochberg)" /></Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {report.buckets.map((b) => (
            <tr key={b.key}>
              <Td className="font-medium text-slate-900">{b.key}</Td>
              <Td numeric>{b.counts.items.toLocaleString("en")}</Td>
              <Td numeric>{b.counts.labelled.toLocaleString("en")}</Td>
              {b.enough ? (
                <>
                  <Td numeric><IntervalText iv={b.judgeAgreement} kind="share" /></Td>
                  <Td numeric><IntervalText iv={b.humanAgreement} kind="share" /></Td>
                  <Td numeric><IntervalText iv={b.humanAlpha} kind="coef" /></Td>
                  <Td numeric><IntervalText iv={b.kappa} kind="coef" /></Td>
                </>
              ) : (
                <Td className="text-slate-500" numeric>
                  <span className="italic">{NOT_ENOUGH}</span>
                </Td>
              )}
              {!b.enough && <><Td /><Td /><Td /></>}
              <Td>{worseBadge(b, report.reference.kind === "bucket" ? report.reference.key : null)}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}

export function worseBadge(s: Report["buckets"][number], reference: string | null) {
  if (s.key === reference) return <Badge tone="slate">reference</Badge>;
  if (!s.worse) return null;
  return s.worse.flagged ? <Badge tone="rose">worse (q = {s.worse.q.toFixed(3)})</Badge> : <span className="text-xs text-slate-500">q = {s.worse.q.toFixed(2)}</span>;
}
