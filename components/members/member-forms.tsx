"use client";

import { useActionState, useState } from "react";
import { cancelInviteAction, inviteAction, removeMemberAction } from "@/app/campaigns/[slug]/members/actions";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { Input } from "@/components/ui/input";
import { invitePath } from "@/lib/campaigns/invite-link";
import { CopyLink } from "./copy-link";

export function InviteForm({ slug }: { slug: string }) {
  const [state, formAction, pending] = useActionState(inviteAction, undefined);
  // The email just invited (the form resets after the action): its link is shown to copy and send.
  const [invited, setInvited] = useState<string | null>(null);
  return (
    <form action={formAction} onSubmit={(e) => setInvited(String(new FormData(e.currentTarget).get("email") ?? "").trim().toLowerCase() || null)} className="space-y-3">
      <input type="hidden" name="slug" value={slug} />
      <div className="flex flex-wrap items-end gap-3">
        <Input label="Email" name="email" type="email" className="min-w-[16rem]" error={state?.fieldErrors?.email} defaultValue={state?.values?.email} />
        <label className="text-sm">
          <span className="block font-medium text-slate-800">Role</span>
          {/* Keyed on what was sent: after a refused invite the role chosen stays chosen (a select ignores a later defaultValue). */}
          <select key={state?.values?.role ?? "annotator"} name="role" defaultValue={state?.values?.role ?? "annotator"} className="mt-1 rounded-md border-0 px-3 py-2 ring-1 ring-inset ring-slate-300">
            <option value="annotator">annotator: rates items</option>
            <option value="auditor">auditor: reads reports, exports</option>
            <option value="researcher">researcher: manages the campaign</option>
          </select>
        </label>
        <Button type="submit" disabled={pending}>{pending ? "Inviting…" : "Invite"}</Button>
      </div>
      {state?.error && <p role="alert" className="text-sm text-rose-600">{state.error}</p>}
      {state?.success && <p role="status" className="text-sm text-emerald-700">{state.success}</p>}
      {state?.success && invited && (
        <div className="space-y-1 rounded-md bg-slate-50 p-3 ring-1 ring-inset ring-slate-200">
          <p className="text-sm text-slate-700">
            Margin sends no email: send this link to {invited}. It opens sign-up with their email filled in (or sign-in, if they have an account), then this campaign.
          </p>
          <CopyLink path={invitePath(slug, invited)} label={`Invitation link for ${invited}`} />
        </div>
      )}
    </form>
  );
}

export function RemoveMemberButton({ slug, userId, name }: { slug: string; userId: string; name: string }) {
  const [state, formAction, pending] = useActionState(removeMemberAction, undefined);
  return (
    <form action={formAction} className="text-right">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="userId" value={userId} />
      <ConfirmButton
        variant="ghost"
        className="px-2 py-1 text-xs text-rose-700"
        disabled={pending}
        aria-label={`Remove ${name}`}
        title={`Remove ${name} from this campaign?`}
        consequence={<>{name} loses access to this campaign at once (an invite-only campaign disappears from their list). Ratings they already gave are kept and still count. To let them back, invite them again.</>}
        confirmLabel="Remove member"
      >
        Remove
      </ConfirmButton>
      {state?.error && <span role="alert" className="ml-2 text-xs text-rose-600">{state.error}</span>}
    </form>
  );
}

export function CancelInviteButton({ slug, email }: { slug: string; email: string }) {
  const [state, formAction, pending] = useActionState(cancelInviteAction, undefined);
  return (
    <form action={formAction} className="text-right">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="email" value={email} />
      <Button type="submit" variant="ghost" className="px-2 py-1 text-xs" disabled={pending} aria-label={`Cancel invitation for ${email}`}>Cancel</Button>
      {state?.error && <span role="alert" className="ml-2 text-xs text-rose-600">{state.error}</span>}
    </form>
  );
}
