import type { Report } from "@/lib/report/types";
import { GlossaryLink } from "./glossary";
import { Table, Td, Th } from "@/components/ui/table";
import { chartRow } from "./chart-data";
import { IntervalText } from "./interval-text";
import { IntervalBarChart } from "./interval-chart";
import { fmtCoef, fmtShare } from "./format";

/** How far the routing would have fooled a naive analysis: naive and corrected estimates side by side. */
export function CorrectedPanel({ report }: { report: Report }) {
  const strata = [report.overall, ...report.buckets.filter((b) => b.enough)];
  const hasBias = report.overall.bias !== null;
  const data = strata.map((s) =>
    hasBias ? chartRow(s.kind === "overall" ? "All" : s.key, [["naive", s.biasNaive], ["corrected", s.bias]]) : chartRow(s.kind === "overall" ? "All" : s.key, [["naive", s.judgeAgreementNaive], ["corrected", s.judgeAgreement]]),
  );
  const extent = Math.max(0.5, ...strata.flatMap((s) => [s.bias, s.biasNaive].flatMap((iv) => (iv ? [Math.abs(iv.lower), Math.abs(iv.upper)] : []))));
  const o = report.overall;
  return (
    <div className="space-y-4">
      {o.enough && (
        <p className="text-sm text-slate-700">
          Over all items, the judge agrees with people <strong>{fmtShare(o.judgeAgreement)}</strong> of the time once the routing is corrected for; a naive count over
          the rated items says <strong>{fmtShare(o.judgeAgreementNaive)}</strong>.
          {hasBias && (
            <>
              {" "}Its bias (judge − people) is <strong>{fmtCoef(o.bias, true)}</strong> corrected, <strong>{fmtCoef(o.biasNaive, true)}</strong> naive.
            </>
          )}
        </p>
      )}
      <figure aria-label={hasBias ? "Judge bias, naive and corrected" : "Judge agreement, naive and corrected"}>
        <IntervalBarChart
          data={data}
          domain={hasBias ? [-Math.ceil(extent * 2) / 2, Math.ceil(extent * 2) / 2] : [0, 1]}
          percent={!hasBias}
          height={240}
          series={[
            { key: "naive", name: "Naive (rated items as if random)", color: "#fbbf24" },
            { key: "corrected", name: "Corrected for routing", color: "#6366f1" },
          ]}
        />
      </figure>
      <Table caption="Naive and routing-corrected estimates">
        <thead className="bg-slate-50">
          <tr>
            <Th>Stratum</Th>
            <Th numeric>Agreement, naive</Th>
            <Th numeric>Agreement, corrected<GlossaryLink term="hajek" label="the Hájek correction" /></Th>
            <Th numeric>Bias, naive</Th>
            <Th numeric>Bias, corrected<GlossaryLink term="bias" label="bias" /></Th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {strata.map((s) => (
            <tr key={`${s.kind}-${s.key}`}>
              <Td className="font-medium text-slate-900">{s.kind === "overall" ? "All items" : `Tail ${s.key}`}</Td>
              <Td numeric><IntervalText iv={s.judgeAgreementNaive} kind="share" /></Td>
              <Td numeric><IntervalText iv={s.judgeAgreement} kind="share" /></Td>
              <Td numeric><IntervalText iv={s.biasNaive} kind="signed" /></Td>
              <Td numeric><IntervalText iv={s.bias} kind="signed" /></Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
