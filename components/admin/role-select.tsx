"use client";

import { useActionState } from "react";
import { setRoleAction } from "@/app/admin/users/actions";

export function RoleSelect({ userId, role, disabled, label }: { userId: string; role: string; disabled?: boolean; label: string }) {
  const [state, formAction, pending] = useActionState(setRoleAction, undefined);
  return (
    <form action={formAction} className="flex items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <select name="role" defaultValue={role} disabled={disabled || pending} aria-label={label} className="rounded-md border-0 py-1 pl-2 pr-7 text-sm ring-1 ring-inset ring-slate-300">
        {["contributor", "researcher", "auditor", "admin"].map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
      <button type="submit" disabled={disabled || pending} className="rounded-md px-2 py-1 text-xs font-semibold text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50 disabled:opacity-40">
        {pending ? "Saving…" : "Save"}
      </button>
      {state?.error && <span role="alert" className="text-xs text-rose-600">{state.error}</span>}
      {state?.success && <span role="status" className="text-xs text-emerald-700">{state.success}</span>}
    </form>
  );
}
