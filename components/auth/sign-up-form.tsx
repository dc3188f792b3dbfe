"use client";

import { useActionState, useEffect, useRef } from "react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { signUpAction } from "@/app/signup/actions";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";

/** `email` pre-fills the field (an invitation link); `next` is where to go once signed in (same-site path). */
export function SignUpForm({ email, next = "/campaigns" }: { email?: string; next?: string } = {}) {
  const router = useRouter();
  const [state, formAction, pending] = useActionState(signUpAction, undefined);
  // React resets the form after the action; keep the credentials to sign in once the account exists.
  const creds = useRef<{ email: string; password: string } | null>(null);

  useEffect(() => {
    if (!state?.success || !creds.current) return;
    void signIn("credentials", { ...creds.current, redirect: false }).then((r) => {
      router.push(r?.error ? `/signin?${new URLSearchParams({ callbackUrl: next }).toString()}` : next);
      router.refresh();
    });
  }, [state, router, next]);

  const fe = state?.fieldErrors ?? {};
  const v = state?.values ?? {};
  return (
    <form
      action={formAction}
      onSubmit={(e) => {
        const f = new FormData(e.currentTarget);
        creds.current = { email: String(f.get("email") ?? ""), password: String(f.get("password") ?? "") };
      }} className="mt-6 space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200" noValidate>
      <Input label="Name" name="name" autoComplete="name" required maxLength={100} error={fe.name} defaultValue={v.name} />
      <Input label="Email" name="email" type="email" autoComplete="email" required error={fe.email} defaultValue={v.email ?? email} />
      <Input label="Password" name="password" type="password" autoComplete="new-password" required minLength={10} error={fe.password} hint="At least 10 characters." />
      <Input label="Languages you read well (optional)" name="languages" placeholder="en, sw, yo" error={fe.languages} hint="Language codes, separated by commas." defaultValue={v.languages} />
      <Input label="Region (optional)" name="region" placeholder="e.g. East Africa" error={fe.region} defaultValue={v.region} />
      {state?.error && (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">
          {state.error}
        </p>
      )}
      {state?.success && <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-700">Account created. Signing you in…</p>}
      <Button type="submit" className="w-full" disabled={pending || !!state?.success}>
        {pending ? "Creating account…" : "Create account"}
      </Button>
    </form>
  );
}
