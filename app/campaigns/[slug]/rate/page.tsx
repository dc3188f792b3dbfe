import type { Metadata } from "next";
import { getDb } from "@/db";
import { countWaitingFor } from "@/db/queries/assign";
import { countMyJudgments } from "@/db/queries/contributor";
import { deny } from "@/components/auth/deny";
import { JoinButton } from "@/components/annotate/join-button";
import { RatingWorkspace } from "@/components/annotate/rating-workspace";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Markdown } from "@/components/ui/markdown";
import { assignNextItem } from "@/lib/assign/assign-next";
import { can } from "@/lib/auth/permissions";
import { getCurrentUser } from "@/lib/auth/session";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Rate items" };
export const dynamic = "force-dynamic";

// The contributor's rating page. Blind by construction: the only item data loaded here comes from
// assignNextItem (input and outputs, never judge_* columns), and only the rubric of the campaign is passed on.
export default async function RatePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await getCurrentUser();
  let loaded;
  try {
    if (!user) throw new AppError("unauthorized", "Sign in to rate items");
    loaded = await loadCampaign(user, slug, "campaign:view");
  } catch (e) {
    if (e instanceof AppError) return deny(e);
    throw e;
  }
  const { campaign, memberRole, access } = loaded;
  const guidelines = campaign.guidelines ? <Markdown imageHosts={campaign.allowedImageHosts}>{campaign.guidelines}</Markdown> : <p className="text-sm text-slate-500">No guidelines.</p>;

  if (campaign.status !== "active") {
    return <Notice title={`${campaign.name} is ${campaign.status}`} text="This campaign does not take ratings right now." />;
  }
  if (!can(user, "campaign:annotate", access)) return deny(new AppError("forbidden", "Not an annotator"));
  if (memberRole === null) {
    return (
      <Card className="mx-auto max-w-2xl">
        <CardHeader title={`Join ${campaign.name}`} description="Read the guidelines, then join to start rating. You can skip any item." />
        <CardBody className="space-y-4">
          {guidelines}
          <JoinButton slug={slug} />
        </CardBody>
      </Card>
    );
  }

  const db = await getDb();
  const now = new Date();
  const item = await assignNextItem(db, campaign, user!.id, { now });
  const [mine, waiting] = await Promise.all([countMyJudgments(db, campaign.id, user!.id), countWaitingFor(db, [campaign.id], user!.id, now)]);
  return (
    <RatingWorkspace
      slug={slug}
      name={campaign.name}
      rubric={campaign.rubric}
      imageHosts={campaign.allowedImageHosts}
      initialItem={item}
      rated={mine}
      waiting={(waiting.get(campaign.id) ?? 0) + (item ? 1 : 0)}
      guidelines={guidelines}
    />
  );
}

function Notice({ title, text }: { title: string; text: string }) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center" role="status">
      <h1 className="text-2xl font-bold text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{text}</p>
    </div>
  );
}
