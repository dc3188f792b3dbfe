import { Stat } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, Td, Th } from "@/components/ui/table";
import type { GoldAccuracy } from "@/db/queries/contributor";
import type { Rubric } from "@/lib/validation/campaign";

const percent = (correct: number, answers: number) => (answers === 0 ? "–" : `${Math.round((100 * correct) / answers)}%`);

/** A rating value as people see it on the rubric (binary 0/1 → its label, likert with its label when it has one). */
function valueLabel(rubric: Rubric, value: number | string): string {
  if (rubric.type === "binary" && (value === 0 || value === 1)) return `${value} (${rubric.labels[value]})`;
  if (rubric.type === "likert") {
    const label = rubric.labels?.[String(value)];
    return label ? `${value} (${label})` : String(value);
  }
  return String(value);
}

/** Gold checks: how often contributors' answers on items with a known answer match it, overall and per item. */
export function GoldPanel({ gold, rubric }: { gold: GoldAccuracy; rubric: Rubric }) {
  if (gold.items === 0) {
    return <EmptyState title="No gold items" description="Import items with a gold_answer to check contributors against known answers." />;
  }
  return (
    <div className="space-y-4">
      <dl className="grid gap-3 sm:grid-cols-3">
        <Stat label="Gold items" value={gold.items.toLocaleString("en")} />
        <Stat label="Answers on them" value={gold.answers.toLocaleString("en")} />
        <Stat label="Gold accuracy" value={percent(gold.correct, gold.answers)} hint={gold.answers === 0 ? "No answers yet" : `${gold.correct.toLocaleString("en")} of ${gold.answers.toLocaleString("en")} correct`} />
      </dl>
      <Table caption="Accuracy per gold item">
        <thead><tr><Th>Item</Th><Th>Gold answer</Th><Th numeric>Answers</Th><Th numeric>Correct</Th></tr></thead>
        <tbody className="divide-y divide-slate-100">
          {gold.rows.map((g) => (
            <tr key={g.itemId}>
              <Td className="font-mono text-xs">{g.externalId}</Td>
              <Td>{valueLabel(rubric, g.goldAnswer)}</Td>
              <Td numeric>{g.answers.toLocaleString("en")}</Td>
              <Td numeric>{g.answers === 0 ? "–" : `${percent(g.correct, g.answers)} (${g.correct}/${g.answers})`}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
      <p className="text-xs text-slate-500">
        Showing {gold.rows.length.toLocaleString("en")} of {gold.items.toLocaleString("en")} gold items, lowest share correct first. Answers given on an
        earlier version of an item (before a re-import changed it) are not counted.
      </p>
    </div>
  );
}
