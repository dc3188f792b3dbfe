import { GlossaryLink } from "./glossary";
import Link from "next/link";
import type { Report, StratumReport } from "@/lib/report/types";
import { NO_GROUP } from "@/lib/report/assemble";
import { Table, Td, Th } from "@/components/ui/table";
import { IntervalText } from "./interval-text";
import { NOT_ENOUGH } from "./format";
import { worseBadge } from "./tail-gap";

/** Worst first: strata with a judge agreement by ascending estimate, then those without enough data. */
export function sortWorstFirst(rows: readonly StratumReport[]): StratumReport[] {
  return [...rows].sort((a, b) => {
    const x = a.judgeAgreement?.estimate;
    const y = b.judgeAgreement?.estimate;
    if (x === undefined && y === undefined) return b.counts.items - a.counts.items;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return x - y || b.counts.items - a.counts.items;
  });
}

/** `browse`: the item browser's address and the stratification key, to link each group to its items. */
export function GroupTable({ report, browse }: { report: Report; browse?: { path: string; key: string } }) {
  const rows = sortWorstFirst(report.groups);
  const browseHref = (group: string) => (browse && group !== NO_GROUP ? `${browse.path}?${new URLSearchParams({ [`meta.${browse.key}`]: group })}` : null);
  return (
    <Table caption="Judge–human agreement by group, worst first">
      <thead className="bg-slate-50">
        <tr>
          <Th>Group</Th>
          <Th numeric>Items</Th>
          <Th numeric>Routed</Th>
          <Th numeric>Fully rated</Th>
          <Th numeric>Rated</Th>
          <Th numeric>Judge agrees<GlossaryLink term="agreement" label="judge agreement" /></Th>
          <Th numeric>Humans agree<GlossaryLink term="ceiling" label="the human ceiling" /></Th>
          <Th numeric>Judge κ<GlossaryLink term="kappa" label="κ" /></Th>
          <Th numeric>Judge ρ<GlossaryLink term="rho" label="ρ" /></Th>
          <Th numeric>Judge bias<GlossaryLink term="bias" label="bias" /></Th>
          <Th>vs reference<GlossaryLink term="q-bh" label="q (Benjamini–Hochberg)" /></Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((g) => (
          <tr key={g.key}>
            <Td className="font-medium text-slate-900">
              {browseHref(g.key) ? <Link href={browseHref(g.key)!} className="text-indigo-700 hover:underline" title={`Browse the items of ${g.key}`}>{g.key}</Link> : g.key}
            </Td>
            <Td numeric>{g.counts.items.toLocaleString("en")}</Td>
            <Td numeric>{g.counts.routed.toLocaleString("en")}</Td>
            <Td numeric>{g.counts.fullyJudged.toLocaleString("en")}</Td>
            <Td numeric>{g.counts.labelled.toLocaleString("en")}</Td>
            {g.enough ? (
              <>
                <Td numeric><IntervalText iv={g.judgeAgreement} kind="share" /></Td>
                <Td numeric><IntervalText iv={g.humanAgreement} kind="share" /></Td>
                <Td numeric><IntervalText iv={g.kappa} kind="coef" /></Td>
                <Td numeric><IntervalText iv={g.rho} kind="coef" /></Td>
                <Td numeric><IntervalText iv={g.bias} kind="signed" /></Td>
              </>
            ) : (
              <>
                <Td numeric className="italic text-slate-500">{NOT_ENOUGH}</Td>
                <Td /><Td /><Td /><Td />
              </>
            )}
            <Td>{worseBadge(g, report.reference.kind === "group" ? report.reference.key : null)}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
