import { z } from "zod";
import { apiRoute } from "@/lib/api/route";
import { editOwnJudgment } from "@/lib/assign/edit-judgment";
import { editJudgmentBody } from "@/lib/assign/judge-input";
import { loadCampaign } from "@/lib/campaigns/access";
import { AppError } from "@/lib/errors";

// PATCH /api/campaigns/:slug/judgments/:id – change one of your own ratings (until the campaign closes)
export const PATCH = apiRoute(
  { params: z.object({ slug: z.string().max(200), id: z.coerce.number().int().positive() }), body: editJudgmentBody, maxBodyBytes: 16_000 },
  async ({ db, actor, params, body }) => {
    if (!actor) throw new AppError("unauthorized", "Sign in to continue.");
    const { campaign } = await loadCampaign(actor, params.slug, "campaign:view");
    await editOwnJudgment(db, campaign, actor.id, params.id, body);
    return { ok: true };
  },
);
