import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { campaignProgress, groupCoverage } from "@/db/queries/campaigns";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { CampaignWorkLinks } from "@/components/annotate/campaign-work-links";
import { GroupCoverageTable } from "@/components/campaigns/group-coverage-table";
import { PlanLink, ReportLink } from "@/components/reports/report-link";
import { ResearcherLinks } from "@/components/campaigns/researcher-links";
import { ExportsLink } from "@/components/exports/exports-link";
import { Badge, statusTone } from "@/components/ui/badge";
import { Card, CardBody, CardHeader, Stat } from "@/components/ui/card";
import { Markdown } from "@/components/ui/markdown";
import { can } from "@/lib/auth/permissions";
import { describeRubric } from "@/lib/validation/campaign";
import { describeK } from "@/lib/assign/adaptive-k";

export const metadata: Metadata = { title: "Campaign" };

const reasonLabel: Record<string, string> = {
  tail: "Rare (tail score ≥ threshold)",
  low_confidence: "Judge unsure (confidence < threshold)",
  control: "Random control sample",
  prior_labels: "Imported prior labels (in the sample for sure)",
  active: "Active allocation (where the judge is likely wrong)",
  escalate: "Escalated (below the trust threshold)",
  gold: "Gold check",
};

export default async function CampaignPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const gate = await gateCampaign(slug, "campaign:view");
  if (gate.denied) return gate.denied;
  const { user, ...loaded } = gate;
  const { campaign, memberRole, access } = loaded;
  const db = await getDb();
  const [progress, groups] = await Promise.all([campaignProgress(db, campaign.id, campaign), groupCoverage(db, campaign.id)]);
  const seesDesign = can(user, "judge:read", access);
  const policy = campaign.routingPolicy;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight text-slate-900">{campaign.name}</h1>
          <p className="mt-1 max-w-3xl text-sm text-slate-600">{campaign.description}</p>
        </div>
        <div className="flex flex-wrap items-center gap-1.5">
          <Badge tone={statusTone[campaign.status]}>{campaign.status}</Badge>
          <Badge tone={campaign.visibility === "public" ? "sky" : "amber"}>{campaign.visibility === "public" ? "public" : "invite-only"}</Badge>
          {memberRole && <Badge tone="indigo">you: {memberRole}</Badge>}
          <ReportLink slug={campaign.slug} show={can(user, "report:read", access)} />
          <PlanLink slug={campaign.slug} show={can(user, "report:read", access)} />
          {can(user, "campaign:edit", access) && (
            <Link href={`/campaigns/${campaign.slug}/members`} className="ml-2 text-sm font-semibold text-indigo-700 hover:underline">
              Members
            </Link>
          )}
          <ExportsLink user={user} access={access} slug={campaign.slug} />
        </div>
      </div>

      <CampaignWorkLinks slug={campaign.slug} actor={user} access={access} />

      <ResearcherLinks user={user} access={access} slug={campaign.slug} />
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <Stat label="Items" value={progress.items.toLocaleString("en")} />
        <Stat label="Routed to people" value={progress.routed.toLocaleString("en")} hint={progress.items ? `${Math.round((100 * progress.routed) / progress.items)}% of items` : undefined} />
        <Stat label={`Fully rated (${describeK(campaign)})`} value={progress.fullyJudged.toLocaleString("en")} />
        <Stat label="Human ratings" value={progress.judgments.toLocaleString("en")} />
      </dl>

      <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
        <Card>
          <CardHeader
            title="Coverage by group"
            description={campaign.stratificationKey ? `Stratified by “${campaign.stratificationKey}”, most common first.` : "No stratification key set."}
          />
          <CardBody className="p-0">
            <GroupCoverageTable rows={groups} />
          </CardBody>
        </Card>
        <div className="space-y-6">
          <Card>
            <CardHeader title="Design" />
            <CardBody>
              <dl className="space-y-2 text-sm">
                <div className="flex justify-between gap-4"><dt className="text-slate-500">Rubric</dt><dd className="font-medium">{describeRubric(campaign.rubric)}</dd></div>
                <div className="flex justify-between gap-4"><dt className="text-slate-500">Ratings per item (k)</dt><dd className="font-medium">{campaign.k}</dd></div>
                {seesDesign && (
                  <>
                    <div className="flex justify-between gap-4"><dt className="text-slate-500">Confidence threshold</dt><dd className="font-medium tabular-nums">{policy.confidenceThreshold}</dd></div>
                    <div className="flex justify-between gap-4"><dt className="text-slate-500">Tail threshold</dt><dd className="font-medium tabular-nums">{policy.tailThreshold}</dd></div>
                    <div className="flex justify-between gap-4"><dt className="text-slate-500">Control rate</dt><dd className="font-medium tabular-nums">{policy.controlRate}</dd></div>
                    <div className="flex justify-between gap-4"><dt className="text-slate-500">Routing seed</dt><dd className="font-mono text-xs">{campaign.routingSeed ?? "not routed yet"}</dd></div>
                  </>
                )}
              </dl>
              {progress.byReason.length > 0 && (
                <ul className="mt-4 space-y-1 border-t border-slate-100 pt-3 text-sm">
                  {progress.byReason.map((r) => (
                    <li key={r.reason} className="flex justify-between gap-4">
                      <span className="text-slate-600">{reasonLabel[r.reason] ?? r.reason}</span>
                      <span className="font-medium tabular-nums">{r.n.toLocaleString("en")}</span>
                    </li>
                  ))}
                </ul>
              )}
            </CardBody>
          </Card>
          <Card>
            <CardHeader title="Guidelines" description={`Version ${campaign.guidelinesVersion}`} />
            <CardBody>{campaign.guidelines ? <Markdown imageHosts={campaign.allowedImageHosts}>{campaign.guidelines}</Markdown> : <p className="text-sm text-slate-500">No guidelines yet.</p>}</CardBody>
          </Card>
        </div>
      </div>
    </div>
  );
}
