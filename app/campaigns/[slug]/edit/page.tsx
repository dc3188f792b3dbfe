import type { Metadata } from "next";
import Link from "next/link";
import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb } from "@/db";
import { items, judgments } from "@/db/schema";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { CampaignForm } from "@/components/campaigns/campaign-form";
import { RoutingStatusPanel } from "@/components/campaigns/routing-status";
import { latestRoutingRunAt } from "@/db/queries/routing";
import { StatusControls } from "@/components/campaigns/status-controls";
import { Badge, statusTone } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { policyFormValues, rubricFormValues, workFormValues } from "@/lib/validation/campaign-form";
import { allowedNextStatuses } from "@/lib/validation/campaign-input";
import { changeStatusAction, rerouteAction, updateCampaignAction } from "./actions";

export const metadata: Metadata = { title: "Edit campaign" };

export default async function EditCampaignPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const gate = await gateCampaign(slug, "campaign:edit");
  if (gate.denied) return gate.denied;
  const loaded = gate;
  const { campaign: c } = loaded;
  const db = await getDb();
  const renderedRunAt = await latestRoutingRunAt(db, c.id);
  const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(judgments).where(eq(judgments.campaignId, c.id))) as [{ n: number }];
  // The pool a routing budget draws from: the campaign's non-gold items.
  const [{ pool }] = (await db.select({ pool: sql<number>`count(*)::int` }).from(items).where(and(eq(items.campaignId, c.id), isNull(items.goldAnswer)))) as [{ pool: number }];
  const values: Record<string, string> = {
    slug: c.slug,
    name: c.name,
    description: c.description,
    guidelines: c.guidelines,
    visibility: c.visibility,
    k: String(c.k),
    stratificationKey: c.stratificationKey ?? "",
    tailMethod: c.tailMethod,
    ...policyFormValues(c.routingPolicy),
    ...rubricFormValues(c.rubric),
    ...workFormValues(c),
  };
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-sm"><Link href={`/campaigns/${c.slug}`} className="text-indigo-700 hover:underline">← {c.name}</Link></p>
          <h1 className="mt-1 text-2xl font-bold tracking-tight text-slate-900">Campaign settings</h1>
        </div>
        <Badge tone={statusTone[c.status]}>{c.status}</Badge>
      </div>
      <Card>
        <CardHeader title="Status and routing" description="draft → active ⇄ paused → closed. Closing is final." />
        <CardBody className="space-y-4">
          <StatusControls slug={c.slug} next={allowedNextStatuses(c.status)} statusAction={changeStatusAction} rerouteAction={rerouteAction} />
          <RoutingStatusPanel campaignId={c.id} renderedRunAt={renderedRunAt} />
        </CardBody>
      </Card>
      {c.status === "closed" ? (
        <p className="text-sm text-slate-600">This campaign is closed; its settings can no longer change.</p>
      ) : (
        <CampaignForm action={updateCampaignAction} values={values} submitLabel="Save changes" rubricLocked={n > 0} hidden={{ slug: c.slug }} pool={pool} />
      )}
    </div>
  );
}
