"use client";

import { useActionState } from "react";
import { cancelInviteAction, inviteAction, removeMemberAction } from "@/app/campaigns/[slug]/members/actions";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";

export function InviteForm({ slug }: { slug: string }) {
  const [state, formAction, pending] = useActionState(inviteAction, undefined);
  return (
    <form action={formAction} className="space-y-3">
      <input type="hidden" name="slug" value={slug} />
      <div className="flex flex-wrap items-end gap-3">
        <Input label="Email" name="email" type="email" className="min-w-[16rem]" error={state?.fieldErrors?.email} defaultValue={state?.values?.email} />
        <label className="text-sm">
          <span className="block font-medium text-slate-800">Role</span>
          <select name="role" defaultValue="annotator" className="mt-1 rounded-md border-0 px-3 py-2 ring-1 ring-inset ring-slate-300">
            <option value="annotator">annotator: rates items</option>
            <option value="auditor">auditor: reads reports, exports</option>
            <option value="researcher">researcher: manages the campaign</option>
          </select>
        </label>
        <Button type="submit" disabled={pending}>{pending ? "Inviting…" : "Invite"}</Button>
      </div>
      {state?.error && <p role="alert" className="text-sm text-rose-600">{state.error}</p>}
      {state?.success && <p role="status" className="text-sm text-emerald-700">{state.success}</p>}
    </form>
  );
}

export function RemoveMemberButton({ slug, userId, name }: { slug: string; userId: string; name: string }) {
  const [state, formAction, pending] = useActionState(removeMemberAction, undefined);
  return (
    <form action={formAction} className="text-right">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="userId" value={userId} />
      <Button type="submit" variant="ghost" className="px-2 py-1 text-xs text-rose-700" disabled={pending} aria-label={`Remove ${name}`}>Remove</Button>
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
