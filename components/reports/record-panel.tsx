import type { Report } from "@/lib/report/types";
import { FormattedDate } from "@/components/ui/date";
import { GlossaryLink } from "./glossary";
import { Table, Td, Th } from "@/components/ui/table";
import { IntervalText } from "./interval-text";

const CONSENSUS: Record<Report["consensus"], string> = {
  median: "the median of the ratings (for agreement and κ the lower of the two middle ratings; for bias the middle two averaged)",
  majority: "the majority vote (ties to the lower scale point)",
  mean: "the mean of the ratings (for agreement and κ the nearest scale point, halves up)",
  dawid_skene: "the Dawid–Skene estimate (each rater's reliability learned from all ratings)",
};

const n = (x: number) => x.toLocaleString("en");

/** What the report counted, from which design, and everything it set aside: nothing disappears without a line. */
export function RecordPanel({ report }: { report: Report }) {
  const a = report.accounting;
  const d = report.design;
  return (
    <div className="space-y-3 text-sm text-slate-700">
      <p>
        {d ? (
          <>
            Design: routing run <code className="rounded bg-slate-100 px-1 text-xs">{d.runId.slice(0, 8)}</code> of <FormattedDate value={d.runAt} /> (policy
            version {d.policyVersion}, seed <code className="rounded bg-slate-100 px-1 text-xs">{d.seed}</code>); each rated item is weighted by the inverse of its
            inclusion probability in that run. Later runs never change this report: ask for it by run to recompute it exactly.
          </>
        ) : (
          <>This campaign has not been routed yet, so no item is in a sample.</>
        )}
      </p>
      <p>Human consensus per item: {CONSENSUS[report.consensus]}. “Worse than” compares with {report.reference.label}.</p>
      <ul className="space-y-1" aria-label="Judgments counted and set aside">
        <li>
          <strong className="tabular-nums">{n(a.counted.judgments)}</strong> judgments on <strong className="tabular-nums">{n(a.counted.items)}</strong> items counted.
        </li>
        {a.setAside.map((s) => (
          <li key={s.reason}>
            <strong className="tabular-nums">{n(s.judgments)}</strong> judgments{s.items > 0 ? <> on <span className="tabular-nums">{n(s.items)}</span> items</> : null} set aside: {s.explanation}.
          </li>
        ))}
        {a.setAside.length === 0 && <li>Nothing was set aside.</li>}
      </ul>
    </div>
  );
}

/** Every agreement measure the report computes, per stratum: κ in three weightings, ρ and bias against the consensus and the mean. */
export function MeasuresTable({ report }: { report: Report }) {
  const strata = [report.overall, ...report.buckets, ...report.groups].filter((s) => s.enough);
  const likert = report.rubric === "likert";
  const numeric = report.overall.bias !== null || report.rubric === "binary" || likert;
  return (
    <Table caption="All agreement measures (design-weighted, 95% intervals)">
      <thead className="bg-slate-50">
        <tr>
          <Th>Stratum</Th>
          <Th numeric>κ unweighted<GlossaryLink term="kappa" label="κ unweighted" /></Th>
          {likert && <Th numeric>κ linear<GlossaryLink term="kappa-weighted" label="κ linear" /></Th>}
          {likert && <Th numeric>κ quadratic<GlossaryLink term="kappa-weighted" label="κ quadratic" /></Th>}
          {likert && <Th numeric>ρ vs consensus<GlossaryLink term="rho" label="ρ" /></Th>}
          {likert && <Th numeric>ρ vs human mean</Th>}
          {numeric && <Th numeric>Bias vs consensus<GlossaryLink term="bias" label="bias" /></Th>}
          {numeric && <Th numeric>Bias vs human mean</Th>}
          <Th numeric>Human α<GlossaryLink term="alpha" label="α" /></Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {strata.map((s) => (
          <tr key={`${s.kind}-${s.key}`}>
            <Td className="font-medium text-slate-900">{s.kind === "overall" ? "All items" : s.kind === "bucket" ? `Tail ${s.key}` : s.key}</Td>
            <Td numeric><IntervalText iv={s.kappaUnweighted} kind="coef" /></Td>
            {likert && <Td numeric><IntervalText iv={s.kappaLinear} kind="coef" /></Td>}
            {likert && <Td numeric><IntervalText iv={s.kappaQuadratic} kind="coef" /></Td>}
            {likert && <Td numeric><IntervalText iv={s.rho} kind="coef" /></Td>}
            {likert && <Td numeric><IntervalText iv={s.rhoMean} kind="coef" /></Td>}
            {numeric && <Td numeric><IntervalText iv={s.bias} kind="signed" /></Td>}
            {numeric && <Td numeric><IntervalText iv={s.biasMean} kind="signed" /></Td>}
            <Td numeric><IntervalText iv={s.humanAlpha} kind="coef" /></Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
