"use client";

import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { signInMessage } from "@/lib/auth/signin-messages";


export function SignInForm({
  callbackUrl,
  initialError,
  oauth,
}: {
  callbackUrl: string;
  initialError?: string;
  oauth: { id: string; name: string }[];
}) {
  const router = useRouter();
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (!result || result.error) {
      // Same words for an unknown email and a wrong password.
      setError(signInMessage(result?.error, "Email or password is incorrect."));
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  }

  return (
    <div className="mt-6 space-y-4 rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <Input label="Email" name="email" type="email" autoComplete="email" required />
        <Input label="Password" name="password" type="password" autoComplete="current-password" required />
        {error && (
          <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700">
            {error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {oauth.length > 0 && (
        <div className="space-y-2 border-t border-slate-100 pt-4">
          {oauth.map((p) => (
            <Button key={p.id} type="button" variant="secondary" className="w-full" onClick={() => void signIn(p.id, { callbackUrl })}>
              Continue with {p.name}
            </Button>
          ))}
        </div>
      )}
      <p className="text-center text-sm text-slate-600">
        New here? <Link href={callbackUrl && callbackUrl !== "/campaigns" ? `/signup?${new URLSearchParams({ callbackUrl }).toString()}` : "/signup"} className="font-semibold text-indigo-700 hover:underline">Create a contributor account</Link>
      </p>
    </div>
  );
}
