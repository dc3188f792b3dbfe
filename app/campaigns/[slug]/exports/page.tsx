import type { Metadata } from "next";
import Link from "next/link";
import { designRun } from "@/db/queries/report";
import { DEFAULT_REPORT_PARAMS } from "@/lib/report/params";
import { getReportsDb } from "@/db";
import { listExports } from "@/db/queries/exports";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { ExportDownloader } from "@/components/exports/export-downloader";
import { ExportsTable } from "@/components/exports/exports-table";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EXPORT_KINDS } from "@/lib/export/kinds";
import { pseudonymSecret } from "@/lib/export/pseudonym";
import { EXPORT_FORMATS } from "@/lib/export/types";

export const metadata: Metadata = { title: "Exports" };
export const dynamic = "force-dynamic";

export default async function ExportsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const gate = await gateCampaign(slug, "export:create");
  if (gate.denied) return gate.denied;
  const loaded = gate;
  const { campaign } = loaded;
  const db = await getReportsDb();
  const run = await designRun(db, campaign.id);
  const ctx = { db, campaign, secret: pseudonymSecret(), batchSize: 1, report: { ...DEFAULT_REPORT_PARAMS, ...(run ? { run: run.id } : {}) } };
  const kinds = await Promise.all(Object.values(EXPORT_KINDS).map(async (k) => ({ name: k.name, title: k.title, rows: await k.count(ctx) })));
  const past = await listExports(db, campaign.id);
  return (
    <div className="space-y-6">
      <div>
        <Link href={`/campaigns/${campaign.slug}`} className="text-sm text-indigo-700 hover:underline">← {campaign.name}</Link>
        <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">Exports</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Take the evidence away and check it yourself. Every file is streamed from the database, rows in a fixed order, raters named only by a
          pseudonym that is stable within this campaign. Each export is recorded with a manifest (row counts, sha256 of each file, schema, software
          version; for a bundle, also the sha256 of the zip). The same data always gives the same bytes, so the same sha256, bundles included.
        </p>
      </div>
      <Card>
        <CardHeader title="New export" description="The bundle is one zip with every file, report.json, manifest.json (the sha256 of each file) and SHA256SUMS. After a download this page checks it: its sha256 against the export's manifest and, for a bundle, every file inside against manifest.json." />
        <CardBody>
          <ExportDownloader campaignId={campaign.id} kinds={[...kinds, { name: "bundle", title: "Bundle: all files + manifest (zip)", rows: 0 }]} formats={EXPORT_FORMATS} />
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Past exports" description="Newest first. The sha256 is the file's, or for a bundle the zip's. “Download again” re-generates it from the data as it is now: unchanged data gives the same sha256." />
        <CardBody className="p-0">
          <ExportsTable campaignId={campaign.id} rows={past} />
        </CardBody>
      </Card>
    </div>
  );
}
