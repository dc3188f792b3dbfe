import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { getCurrentUser } from "@/lib/auth/session";
import { sameOriginPath, safeRedirectPath } from "@/lib/http/safe-redirect";

export const metadata: Metadata = { title: "Create an account" };

// An invitation link (lib/campaigns/invite-link.ts) opens this page with ?email= and ?callbackUrl=/campaigns/<slug>:
// the email is filled in (invitations are claimed by it) and, once signed up or in, the campaign opens.
export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[]; email?: string | string[] }> }) {
  const sp = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const next = sameOriginPath(first(sp.callbackUrl));
  const target = safeRedirectPath(next);
  if (await getCurrentUser()) redirect(target);
  const raw = first(sp.email)?.trim().slice(0, 254);
  const email = raw && /^[^\s@]+@[^\s@]+$/.test(raw) ? raw : undefined;
  const invited = Boolean(email && next);
  const signIn = next ? `/signin?${new URLSearchParams({ callbackUrl: next }).toString()}` : "/signin";
  return (
    <div className="mx-auto max-w-md py-8">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900">{invited ? "You are invited to a campaign" : "Join Margin as a contributor"}</h1>
      <p className="mt-1 text-sm text-slate-600">
        {invited ? (
          <>
            Create your account with <strong className="font-semibold text-slate-900">{email}</strong>, the email the invitation was sent to, and the campaign opens.
            Already have an account? <Link href={signIn} className="font-semibold text-indigo-700 hover:underline">Sign in</Link> instead.
          </>
        ) : (
          "Rate model outputs in the languages and topics you know. Researchers look for people who read rare languages."
        )}
      </p>
      <SignUpForm email={email} next={target} />
      <p className="mt-4 text-center text-sm text-slate-600">
        Already have an account? <Link href={signIn} className="font-semibold text-indigo-700 hover:underline">Sign in</Link>
      </p>
    </div>
  );
}
