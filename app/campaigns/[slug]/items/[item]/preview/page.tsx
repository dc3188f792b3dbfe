import type { Metadata } from "next";
import Link from "next/link";
import { getDb } from "@/db";
import { findItem } from "@/db/queries/item-detail";
import { deny } from "@/components/auth/deny";
import { AppError } from "@/lib/errors";
import { gateCampaign } from "@/components/auth/campaign-gate";
import { RatingPreview } from "@/components/annotate/rating-preview";
import { Markdown } from "@/components/ui/markdown";

export const metadata: Metadata = { title: "Preview as rater" };
export const dynamic = "force-dynamic";

// "Preview as rater": exactly what a contributor's rating page shows for this item (blind: only the content fields
// are passed on, never the judge's), read-only. For researchers and auditors (judge:read), who may open the item.
export default async function PreviewPage({ params }: { params: Promise<{ slug: string; item: string }> }) {
  const { slug, item: ref } = await params;
  const gate = await gateCampaign(slug, "judge:read");
  if (gate.denied) return gate.denied;
  const { campaign } = gate;
  const item = await findItem(await getDb(), campaign.id, ref);
  if (!item) return deny(new AppError("not_found", "Item not found"));
  const itemPath = `/campaigns/${encodeURIComponent(campaign.slug)}/items/${encodeURIComponent(item.externalId)}`;
  const guidelines = campaign.guidelines ? <Markdown imageHosts={campaign.allowedImageHosts}>{campaign.guidelines}</Markdown> : <p className="text-sm text-slate-500">No guidelines.</p>;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3 rounded-md bg-amber-50 px-4 py-2.5 text-sm text-amber-900 ring-1 ring-inset ring-amber-200" role="note">
        <span>
          <strong>Preview as rater</strong> of <code className="text-xs">{item.externalId}</code>: what a contributor sees (no judge score, confidence or rationale). Nothing here can be submitted.
          {item.outputB !== null && " Contributors see the two outputs in a random order of their own; here A is on the left."}
        </span>
        <Link href={itemPath} className="font-semibold text-amber-900 underline">Back to the item</Link>
      </div>
      <h1 className="text-xl font-bold tracking-tight text-slate-900">Rate: {campaign.name}</h1>
      <RatingPreview item={{ itemId: item.id, input: item.input, output: item.output, outputB: item.outputB }} rubric={campaign.rubric} guidelines={guidelines} imageHosts={campaign.allowedImageHosts} />
    </div>
  );
}
