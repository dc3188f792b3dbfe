import type { Metadata } from "next";
import { signInMessage } from "@/lib/auth/signin-messages";
import { redirect } from "next/navigation";
import { safeRedirectPath } from "@/lib/http/safe-redirect";
import { SignInForm } from "@/components/auth/sign-in-form";
import { oauthProviders } from "@/lib/auth/options";
import { getCurrentUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  // Only same-site paths: an open redirect through the sign-in page would be a phishing aid.
  // Only a same-origin path, after the normalisation a browser applies (backslashes, tabs, percent-escapes).
  const target = safeRedirectPath(callbackUrl);
  if (await getCurrentUser()) redirect(target);
  return (
    <div className="mx-auto max-w-sm py-8">
      <h1 className="text-2xl font-bold tracking-tight text-slate-900">Sign in to Margin</h1>
      <p className="mt-1 text-sm text-slate-600">Rate items, run campaigns, or audit results.</p>
      <SignInForm callbackUrl={target} oauth={oauthProviders} initialError={error ? signInMessage(error) : undefined} />
    </div>
  );
}
