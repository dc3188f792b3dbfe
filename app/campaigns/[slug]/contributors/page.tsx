import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { goldAccuracy, listFlagsForReview } from "@/db/queries/contributor";
import { contributorStats } from "@/db/queries/work-progress";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { ExcludeToggle } from "@/components/annotate/exclude-toggle";
import { FlagDecisionForm } from "@/components/campaigns/flag-decision-form";
import { GoldPanel } from "@/components/campaigns/gold-panel";
import { Badge } from "@/components/ui/badge";
import { FormattedDate } from "@/components/ui/date";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Contributors and flags" };
const FLAGS_PAGE = 20;
const GOLD_SHOWN = 50;

const seconds = (ms: number | null) => (ms === null ? "–" : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);
const when = (iso: string) => <FormattedDate value={iso} />;
const flagTone = { open: "amber", resolved: "green", dismissed: "slate" } as const;

// Researcher view of the rating work: per-contributor counts, median time, gold accuracy, exclusion, flags.
export default async function ContributorsPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ page?: string }> }) {
  const { slug } = await params;
  const page = Math.max(1, Number.parseInt((await searchParams).page ?? "1", 10) || 1);
  const gate = await gateCampaign(slug, "report:read");
  if (gate.denied) return gate.denied;
  const { user, ...loaded } = gate;
  const { campaign, access } = loaded;
  const mayEdit = can(user, "campaign:edit", access);
  const db = await getDb();
  const [people, flagged, gold] = await Promise.all([
    contributorStats(db, campaign.id),
    listFlagsForReview(db, campaign.id, FLAGS_PAGE, (page - 1) * FLAGS_PAGE),
    goldAccuracy(db, campaign.id, GOLD_SHOWN),
  ]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Contributors and flags</h1>
        <p className="mt-1 text-sm text-slate-600">
          <Link className="text-indigo-700 hover:underline" href={`/campaigns/${slug}`}>{campaign.name}</Link> · gold rate {Math.round(campaign.goldRate * 1000) / 10}% · lease {campaign.leaseMinutes} min
          {mayEdit && <> · <Link className="text-indigo-700 hover:underline" href={`/campaigns/${slug}/edit`}>change settings</Link></>}
        </p>
      </div>
      <Card>
        <CardHeader title="Contributors" description="Excluded contributors' judgments are left out of reports; the change is recorded in the audit log." />
        <CardBody className="p-0">
          {people.length === 0 ? (
            <div className="p-5"><EmptyState title="No contributors yet" /></div>
          ) : (
            <Table caption="Contributors">
              <thead><tr><Th>Contributor</Th><Th numeric>Rated</Th><Th numeric>Skipped</Th><Th numeric>Median time</Th><Th numeric>Gold accuracy</Th><Th>Last rating</Th><Th>Reports</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {people.map((p) => (
                  <tr key={p.userId}>
                    <Td><span className="font-medium text-slate-900">{p.name}</span> <span className="text-xs text-slate-500">{p.email}</span></Td>
                    <Td numeric>{p.judgments.toLocaleString("en")}</Td>
                    <Td numeric>{p.skipped.toLocaleString("en")}</Td>
                    <Td numeric>{seconds(p.medianMs)}</Td>
                    <Td numeric>{p.goldAnswered === 0 ? "–" : `${Math.round((100 * p.goldCorrect) / p.goldAnswered)}% (${p.goldCorrect}/${p.goldAnswered})`}</Td>
                    <Td>{p.lastAt ? <FormattedDate value={p.lastAt} /> : "–"}</Td>
                    <Td>
                      <span className="inline-flex items-center gap-2">
                        {p.excluded ? <Badge tone="rose">excluded</Badge> : <Badge tone="green">included</Badge>}
                        {mayEdit && <ExcludeToggle slug={slug} userId={p.userId} name={p.name} excluded={p.excluded} />}
                      </span>
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Gold checks" description="Items with a known answer, mixed into the work at the gold rate: how often contributors' answers match it." />
        <CardBody><GoldPanel gold={gold} rubric={campaign.rubric} /></CardBody>
      </Card>
      <Card>
        <CardHeader
          title="Flagged items"
          description={`Items contributors flagged as harmful, broken, unclear or in the wrong language.${mayEdit ? " Resolve a flag once the item is dealt with, or dismiss it; either is recorded in the audit log." : ""}`}
        />
        <CardBody className="space-y-4 p-0">
          {flagged.rows.length === 0 ? (
            <div className="p-5"><EmptyState title="No flags" description="Nothing has been flagged in this campaign." /></div>
          ) : (
            <Table caption="Flagged items">
              <thead><tr><Th>Item</Th><Th>Reason</Th><Th>Note</Th><Th>By</Th><Th>When</Th><Th>Status</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {flagged.rows.map((f) => (
                  <tr key={f.id}>
                    <Td className="font-mono text-xs">
                      <Link href={`/campaigns/${encodeURIComponent(slug)}/items/${encodeURIComponent(f.externalId)}`} className="font-semibold text-indigo-700 hover:underline" title="Open the item: content, ratings, judge verdict">{f.externalId}</Link>
                    </Td>
                    <Td><Badge tone="rose">{f.reason.replace("_", " ")}</Badge></Td>
                    <Td className="max-w-xs truncate whitespace-normal">{f.note ?? "–"}</Td>
                    <Td>{f.by}</Td>
                    <Td>{when(f.createdAt)}</Td>
                    <Td className="whitespace-normal">
                      {f.status === "open" ? (
                        <span className="flex flex-wrap items-center gap-2">
                          <Badge tone={flagTone.open}>open</Badge>
                          {mayEdit && <FlagDecisionForm slug={slug} flagId={f.id} externalId={f.externalId} />}
                        </span>
                      ) : (
                        <span className="block space-y-0.5">
                          <Badge tone={flagTone[f.status]}>{f.status}</Badge>
                          <span className="block text-xs text-slate-500">
                            by {f.resolvedBy ?? "–"}{f.resolvedAt ? <> · {when(f.resolvedAt)}</> : ""}
                          </span>
                          {f.resolutionNote && <span className="block max-w-xs text-xs text-slate-600">{f.resolutionNote}</span>}
                        </span>
                      )}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          <div className="px-5 pb-4"><Pagination page={page} pageSize={FLAGS_PAGE} total={flagged.total} basePath={`/campaigns/${slug}/contributors`} /></div>
        </CardBody>
      </Card>
    </div>
  );
}
