import type { Metadata } from "next";
import Link from "next/link";
import { sql } from "drizzle-orm";
import { getDb } from "@/db";
import { recentImports } from "@/db/queries/overview";
import { rowsOf } from "@/db/client";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { UploadItems } from "@/components/campaigns/upload-items";
import { Badge } from "@/components/ui/badge";
import { FormattedDate } from "@/components/ui/date";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import { maxUploadBytes } from "@/lib/ingest/formats";
import { importOutcome, importTone } from "@/lib/ingest/status";

export const metadata: Metadata = { title: "Import items" };

export default async function ImportPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const gate = await gateCampaign(slug, "campaign:edit");
  if (gate.denied) return gate.denied;
  const loaded = gate;
  const { campaign: c } = loaded;
  const db = await getDb();
  const past = await recentImports(db, c.id);
  // Imported ratings are judgments: the first one locks the rubric (lib/campaigns/manage.ts), so say so first.
  const [judged] = rowsOf<{ any: boolean }>(await db.execute(sql`select exists (select 1 from judgments where campaign_id = ${c.id}) as any`));
  const rubricLocked = judged?.any === true;
  return (
    <div className="mx-auto max-w-4xl space-y-6">
      <div>
        <p className="text-sm"><Link href={`/campaigns/${c.slug}`} className="text-indigo-700 hover:underline">← {c.name}</Link></p>
        <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">Import items</h1>
        <p className="mt-1 text-sm text-slate-600">
          One item per line (JSONL) or row (CSV): <code>external_id</code>, <code>input</code>, <code>output</code>, and optionally <code>judge_score</code>,{" "}
          <code>judge_confidence</code>, <code>judge_rationale</code>, <code>model</code>, <code>human_ratings</code>; other fields become metadata. Re-importing an id updates it.
          Examples: <a className="text-indigo-700 hover:underline" href="/examples/items.jsonl" download>items.jsonl</a>, <a className="text-indigo-700 hover:underline" href="/examples/items.csv" download>items.csv</a>.
        </p>
        <p className="mt-2 text-sm text-slate-600" data-testid="ratings-lock-note">
          {rubricLocked
            ? "Prior ratings in human_ratings are imported as judgments. This campaign already has judgments, so its rubric is locked."
            : "Prior ratings in human_ratings are imported as judgments, and the first judgment locks this campaign's rubric: import a file with ratings (the example files have 8 items with ratings) only once the rubric is final."}
        </p>
      </div>
      {c.status === "closed" ? <p className="text-sm text-slate-600">This campaign is closed.</p> : <UploadItems campaignId={c.id} slug={c.slug} maxMb={Math.round(maxUploadBytes() / 1048576)} rubricLocked={rubricLocked} />}
      <Card>
        <CardHeader title="Past imports" />
        <CardBody className="p-0">
          {past.length === 0 ? <p className="p-5 text-sm text-slate-500">No imports yet.</p> : (
            <Table caption="Past imports">
              <thead className="bg-slate-50"><tr><Th>When</Th><Th>File</Th><Th>Status</Th><Th numeric>Rows</Th><Th numeric>New</Th><Th numeric>Updated</Th><Th numeric>Rejected</Th><Th>Report</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {past.map((p) => {
                  const outcome = importOutcome(p);
                  return (
                  <tr key={p.id}>
                    <Td><FormattedDate value={p.createdAt} /></Td>
                    <Td>{p.filename ?? p.format}</Td>
                    <Td><Badge tone={importTone[outcome]}>{outcome}</Badge></Td>
                    <Td numeric>{p.rowsTotal.toLocaleString("en")}</Td>
                    <Td numeric>{p.rowsNew.toLocaleString("en")}</Td>
                    <Td numeric>{p.rowsUpdated.toLocaleString("en")}</Td>
                    <Td numeric>{p.rowsRejected.toLocaleString("en")}</Td>
                    <Td>{p.rowsRejected > 0 ? <a className="text-indigo-700 hover:underline" href={`/api/v1/campaigns/${c.id}/imports/${p.id}/errors`} download>errors.csv</a> : "—"}</Td>
                  </tr>
                  );
                })}
              </tbody>
            </Table>
          )}
        </CardBody>
      </Card>
    </div>
  );
}
