import type { Metadata } from "next";
import { deny } from "@/components/auth/deny";
import { CampaignForm } from "@/components/campaigns/campaign-form";
import { can } from "@/lib/auth/permissions";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { createCampaignAction } from "./actions";

export const metadata: Metadata = { title: "New campaign" };

export default async function NewCampaignPage() {
  const user = await getCurrentUser();
  if (!user) return deny(new AppError("unauthorized", "Sign in to continue"));
  if (!can(user, "campaign:create")) return deny(new AppError("forbidden", "Only researchers can create campaigns"));
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">New campaign</h1>
        <p className="mt-1 text-sm text-slate-600">A campaign starts as a draft. Import items next, then activate it.</p>
      </div>
      <CampaignForm action={createCampaignAction} values={{}} submitLabel="Create campaign" showSlug />
    </div>
  );
}
