import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { deny } from "@/components/auth/deny";
import { AppError } from "@/lib/errors";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { reasonLabel } from "@/components/browse/browse-filters";
import { FlagDecisionForm } from "@/components/campaigns/flag-decision-form";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FormattedDate } from "@/components/ui/date";
import { EmptyState } from "@/components/ui/empty-state";
import { Markdown } from "@/components/ui/markdown";
import { Table, Td, Th } from "@/components/ui/table";
import { can } from "@/lib/auth/permissions";
import { loadItemView } from "@/lib/browse/detail";

export const metadata: Metadata = { title: "Item" };
export const dynamic = "force-dynamic";

const num = (x: number | null, digits = 3) => (x === null ? "–" : String(Math.round(x * 10 ** digits) / 10 ** digits));
const flagTone = { open: "amber", resolved: "green", dismissed: "slate" } as const;

/** Untrusted text shown as text (React escapes it), in its own direction (a rationale in Arabic reads right to left). */
function Plain({ children, className = "" }: { children: string; className?: string }) {
  return <p dir="auto" className={`whitespace-pre-wrap break-words text-sm text-slate-800 ${className}`}>{children}</p>;
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section aria-label={title} className="min-w-0">
      <h3 className="mb-1.5 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex justify-between gap-4 py-1">
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 text-right font-medium text-slate-900">{children}</dd>
    </div>
  );
}

// One item of the item browser (docs/item-browser.md): content, the judge's verdict, every rating under its rater's
// pseudonym, its inclusion record in each routing run, earlier versions and flags (resolved or dismissed here by
// people who may edit the campaign). judge:read.
export default async function ItemPage({ params }: { params: Promise<{ slug: string; item: string }> }) {
  const { slug, item: ref } = await params;
  const gate = await gateCampaign(slug, "judge:read");
  if (gate.denied) return gate.denied;
  const { user, campaign, access } = gate;
  const db = await getDb();
  const view = await loadItemView(db, campaign, ref);
  if (!view) return deny(new AppError("not_found", "Item not found"));
  const { item, consensus, ratings, inclusion, versions, flags } = view;
  const mayEdit = can(user, "campaign:edit", access);
  const campaignPath = `/campaigns/${encodeURIComponent(campaign.slug)}`;
  const itemsPath = `${campaignPath}/items`;
  const itemPath = `${itemsPath}/${encodeURIComponent(item.externalId)}`;
  const pair = item.outputB !== null;
  const metadataEntries = Object.entries(item.metadata);
  const openFlags = flags.filter((f) => f.status === "open").length;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
            <Link href={campaignPath} className="text-indigo-700 hover:underline">{campaign.name}</Link>
            {" / "}
            <Link href={itemsPath} className="text-indigo-700 hover:underline">Items</Link>
          </nav>
          <h1 className="mt-1 break-all font-mono text-2xl font-bold tracking-tight text-slate-900">{item.externalId}</h1>
          <div className="mt-2 flex flex-wrap items-center gap-1.5">
            <Badge tone="slate">id {item.id}</Badge>
            <Badge tone={item.version > 1 ? "sky" : "slate"}>version {item.version}</Badge>
            {item.goldAnswer !== null && <Badge tone="amber">gold: {String(item.goldAnswer)}</Badge>}
            {item.routeReason ? <Badge tone="indigo">{reasonLabel[item.routeReason] ?? item.routeReason}</Badge> : <Badge tone="slate">not routed</Badge>}
            {item.group !== null && <Badge tone="sky"><span dir="auto">{`${campaign.stratificationKey ?? "group"}: ${item.group}`}</span></Badge>}
            {openFlags > 0 && <Badge tone="amber">{openFlags} open flag{openFlags === 1 ? "" : "s"}</Badge>}
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href={`${itemPath}/preview`} className="rounded-md bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50">Preview as rater</Link>
          <Link href={itemsPath} className="rounded-md px-3 py-1.5 text-sm font-semibold text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50">All items</Link>
        </div>
      </div>

      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card>
          <CardHeader title="Content" description={`${item.model ? `Model ${item.model} · ` : ""}what raters see (the current version)`} />
          <CardBody className="space-y-5">
            <Section title="Input">
              <div dir="auto">{item.input ? <Markdown imageHosts={campaign.allowedImageHosts}>{item.input}</Markdown> : <p className="text-sm text-slate-500">No input.</p>}</div>
            </Section>
            <div className={pair ? "grid gap-4 md:grid-cols-2" : ""}>
              <Section title={pair ? "Output A" : "Output"}>
                <div dir="auto" className="rounded-md bg-slate-50 p-3 ring-1 ring-inset ring-slate-200"><Markdown imageHosts={campaign.allowedImageHosts}>{item.output}</Markdown></div>
              </Section>
              {pair && (
                <Section title="Output B">
                  <div dir="auto" className="rounded-md bg-slate-50 p-3 ring-1 ring-inset ring-slate-200"><Markdown imageHosts={campaign.allowedImageHosts}>{item.outputB!}</Markdown></div>
                </Section>
              )}
            </div>
          </CardBody>
        </Card>

        <div className="space-y-6">
          <Card>
            <CardHeader title="AI judge" description="Never shown to raters." />
            <CardBody className="space-y-3">
              <dl className="grid grid-cols-2 gap-3">
                <div className="rounded-md bg-slate-50 px-3 py-2">
                  <dt className="text-xs font-medium text-slate-600">Score</dt>
                  <dd className="text-2xl font-semibold tabular-nums text-slate-900" data-testid="judge-score">{item.judgeScore === null ? "–" : String(item.judgeScore)}</dd>
                </div>
                <div className="rounded-md bg-slate-50 px-3 py-2">
                  <dt className="text-xs font-medium text-slate-600">Confidence</dt>
                  <dd className="text-2xl font-semibold tabular-nums text-slate-900" data-testid="judge-confidence">{num(item.judgeConfidence, 2)}</dd>
                </div>
              </dl>
              <Section title="Rationale">
                {item.judgeRationale ? <Plain>{item.judgeRationale}</Plain> : <p className="text-sm text-slate-500">No rationale given.</p>}
              </Section>
              <div className="rounded-md px-3 py-2 text-sm ring-1 ring-inset ring-slate-200" data-testid="consensus">
                {consensus ? (
                  <>
                    People: <strong className="tabular-nums">{String(consensus.value)}</strong> ({consensus.ratings} counted rating{consensus.ratings === 1 ? "" : "s"} on this version) ·{" "}
                    {consensus.agree === null ? "no judge score to compare" : consensus.agree ? <span className="font-medium text-emerald-700">the judge agrees</span> : <span className="font-medium text-rose-700">the judge disagrees</span>}
                  </>
                ) : (
                  <span className="text-slate-500">No counted ratings on this version yet.</span>
                )}
              </div>
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Routing" description="As the latest routing run left it." />
            <CardBody>
              <dl className="divide-y divide-slate-100 text-sm">
                <Fact label="Tail score">{num(item.tailScore)}{item.providedTailScore !== null ? ` (provided ${num(item.providedTailScore)})` : ""}</Fact>
                <Fact label="Routed to people">{item.routed ? "yes" : "no"}</Fact>
                <Fact label="Reason">{item.routeReason ? (reasonLabel[item.routeReason] ?? item.routeReason) : "–"}</Fact>
                <Fact label="Inclusion probability π">{num(item.inclusionProb, 4)}</Fact>
                <Fact label="Ratings (this version)">{item.judgmentCount}{item.kReached ? " · enough" : ""}</Fact>
                {item.labelPi !== null && <Fact label="Prior labels' π">{num(item.labelPi, 4)}</Fact>}
              </dl>
              {metadataEntries.length > 0 && (
                <>
                  <h3 className="mt-4 text-xs font-semibold uppercase tracking-wide text-slate-500">Metadata</h3>
                  <dl className="mt-1 divide-y divide-slate-100 text-sm">
                    {metadataEntries.map(([k, v]) => {
                      const text = typeof v === "string" ? v : JSON.stringify(v);
                      const scalar = typeof v === "string" || typeof v === "number" || typeof v === "boolean";
                      return (
                        <Fact key={k} label={k}>
                          {scalar ? (
                            <Link dir="auto" className="text-indigo-700 hover:underline" href={`${itemsPath}?${new URLSearchParams({ [`meta.${k}`]: String(v) })}`} title={`Items with ${k} = ${text}`}>{text}</Link>
                          ) : (
                            <code className="break-all text-xs">{text.slice(0, 300)}</code>
                          )}
                        </Fact>
                      );
                    })}
                  </dl>
                </>
              )}
            </CardBody>
          </Card>
        </div>
      </div>

      <Card>
        <CardHeader title="Flags" description={mayEdit ? "Resolve a flag once the item is dealt with, or dismiss it; either is recorded in the audit log." : "What raters reported about this item."} />
        <CardBody className="p-0">
          {flags.length === 0 ? (
            <div className="p-5"><EmptyState title="No flags" description="Nobody has flagged this item." /></div>
          ) : (
            <Table caption="Flags on this item">
              <thead><tr><Th>Reason</Th><Th>Note</Th><Th>By</Th><Th>When</Th><Th>Status</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {flags.map((f) => (
                  <tr key={f.id} className="align-top">
                    <Td><Badge tone="rose">{f.reason.replace("_", " ")}</Badge></Td>
                    <Td className="max-w-xs whitespace-normal">{f.note ? <Plain>{f.note}</Plain> : "–"}</Td>
                    <Td className="font-mono text-xs">{f.flaggedBy}</Td>
                    <Td><FormattedDate value={f.createdAt} /></Td>
                    <Td className="whitespace-normal">
                      {f.status === "open" ? (
                        <span className="flex flex-wrap items-center gap-2">
                          <Badge tone={flagTone.open}>open</Badge>
                          {mayEdit && <FlagDecisionForm slug={campaign.slug} flagId={f.id} externalId={item.externalId} />}
                        </span>
                      ) : (
                        <span className="block space-y-0.5" data-testid={`flag-${f.id}-status`}>
                          <Badge tone={flagTone[f.status]}>{f.status}</Badge>
                          <span className="block text-xs text-slate-500">by <span className="font-mono">{f.resolvedBy ?? "–"}</span>{f.resolvedAt ? <> · <FormattedDate value={f.resolvedAt} /></> : ""}</span>
                          {f.resolutionNote && <Plain className="max-w-xs text-xs text-slate-600">{f.resolutionNote}</Plain>}
                        </span>
                      )}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Ratings" description="Every human rating, raters by pseudonym (the one exports use). Ratings of earlier versions and of excluded raters do not count in reports." />
        <CardBody className="p-0">
          {ratings.length === 0 ? (
            <div className="p-5"><EmptyState title="No ratings yet" /></div>
          ) : (
            <Table caption="Ratings">
              <thead><tr><Th>Rater</Th><Th numeric>Rating</Th><Th>Rationale</Th><Th>Version</Th><Th numeric>Time taken</Th><Th>When</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {ratings.map((r) => (
                  <tr key={r.id} className={`align-top ${r.current && !r.excluded ? "" : "text-slate-500"}`}>
                    <Td className="font-mono text-xs">
                      {r.rater}
                      {r.imported && <span className="ml-1"><Badge tone="slate">imported</Badge></span>}
                      {r.excluded && <span className="ml-1"><Badge tone="rose">excluded</Badge></span>}
                    </Td>
                    <Td numeric className="text-base font-semibold text-slate-900">{String(r.value)}</Td>
                    <Td className="max-w-md whitespace-normal">{r.rationale ? <Plain>{r.rationale}</Plain> : <span className="text-slate-500">–</span>}</Td>
                    <Td>{r.current ? `v${r.itemVersion}` : <Badge tone="slate">v{r.itemVersion} (replaced)</Badge>}</Td>
                    <Td numeric>{r.timeTakenMs === null ? "–" : `${(r.timeTakenMs / 1000).toFixed(1)} s`}</Td>
                    <Td>
                      <FormattedDate value={r.createdAt} />
                      {r.editCount > 0 && <span className="block text-xs text-slate-500">edited {r.editCount}× · <FormattedDate value={r.updatedAt} /></span>}
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Inclusion records" description="The item in each routing run: the draw's probability, the seeded u (drawn ⇔ u < π), and the π reports weight by." />
        <CardBody className="p-0">
          {inclusion.length === 0 ? (
            <div className="p-5"><EmptyState title="Not in any routing run yet" description="Gold items are checks, not sample, and have no records." /></div>
          ) : (
            <Table caption="Inclusion records">
              <thead><tr><Th>Run</Th><Th numeric>Round</Th><Th>Reason</Th><Th numeric>Draw π</Th><Th numeric>u</Th><Th>Drawn</Th><Th numeric>Sample π</Th><Th>Version</Th></tr></thead>
              <tbody className="divide-y divide-slate-100">
                {inclusion.map((x) => (
                  <tr key={x.runId}>
                    <Td><FormattedDate value={x.runAt} /> <code className="text-xs text-slate-500">{x.runId.slice(0, 8)}</code></Td>
                    <Td numeric>{x.round}{x.kind !== "rules" ? ` (${x.kind})` : ""}</Td>
                    <Td>{x.reason ? (reasonLabel[x.reason] ?? x.reason) : "–"}</Td>
                    <Td numeric>{num(x.routePi, 4)}</Td>
                    <Td numeric>{num(x.u, 4)}</Td>
                    <Td>{x.drawn ? <Badge tone="green">drawn</Badge> : <span className="text-slate-500">no</span>}</Td>
                    <Td numeric>{x.inSample ? num(x.pi, 4) : "–"}</Td>
                    <Td>v{x.itemVersion}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Versions" description="Content this item had before a re-import changed it. Ratings stay with the version their rater saw." />
        <CardBody>
          {versions.length === 0 ? (
            <p className="text-sm text-slate-500">Never changed: this is version 1.</p>
          ) : (
            <ol className="space-y-3">
              <li className="text-sm text-slate-700"><strong>Version {item.version}</strong> (current) · content hash <code className="text-xs">{item.contentHash?.slice(0, 12)}</code></li>
              {versions.map((v) => (
                <li key={v.version} className="rounded-md ring-1 ring-slate-200">
                  <details>
                    <summary className="cursor-pointer px-3 py-2 text-sm text-slate-700">
                      <strong>Version {v.version}</strong> · replaced <FormattedDate value={v.supersededAt} /> · judge {v.judgeScore === null ? "–" : String(v.judgeScore)} ({num(v.judgeConfidence, 2)}) · hash <code className="text-xs">{v.contentHash.slice(0, 12)}</code>
                    </summary>
                    <div className="grid gap-3 border-t border-slate-100 p-3 md:grid-cols-2">
                      <Section title="Input"><Plain>{v.input || "(empty)"}</Plain></Section>
                      <Section title="Output"><Plain>{v.output}</Plain></Section>
                      {v.outputB !== null && <Section title="Output B"><Plain>{v.outputB}</Plain></Section>}
                      {v.judgeRationale && <Section title="Judge rationale"><Plain>{v.judgeRationale}</Plain></Section>}
                    </div>
                  </details>
                </li>
              ))}
            </ol>
          )}
        </CardBody>
      </Card>

      <p className="text-xs text-slate-500">
        JSON: <code>/api/v1/campaigns/{campaign.id}/items/{encodeURIComponent(item.externalId)}</code>
      </p>
    </div>
  );
}
