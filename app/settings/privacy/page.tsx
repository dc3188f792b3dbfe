import type { Metadata } from "next";
import { deny } from "@/components/auth/deny";
import { ChangePasswordForm, DeleteAccountForm, LinkProviderButton } from "@/components/settings/privacy-forms";
import { oauthProviders } from "@/lib/auth/options";
import { oauthAccounts } from "@/db/schema";
import { eq } from "drizzle-orm";
import { getDb } from "@/db";
import { users } from "@/db/schema";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

export const metadata: Metadata = { title: "Privacy" };

const LINK_ERRORS: Record<string, string> = {
  taken: "That provider account already signs in another Margin account, so it was not linked.",
  session: "The link request did not match your current session (it expired, or you signed in as someone else). Try again.",
};

export default async function PrivacyPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const user = await getCurrentUser();
  if (!user) return deny(new AppError("unauthorized", "Sign in"));
  const [row] = await (await getDb()).select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id));
  const hasPassword = Boolean(row?.hash);
  const linked = new Set((await (await getDb()).select({ provider: oauthAccounts.provider }).from(oauthAccounts).where(eq(oauthAccounts.userId, user.id))).map((r) => r.provider));
  const justLinked = typeof sp.linked === "string" ? oauthProviders.find((p) => p.id === sp.linked)?.name : undefined;
  const linkError = typeof sp.linkError === "string" ? LINK_ERRORS[sp.linkError] : undefined;
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-bold tracking-tight text-slate-900">Privacy and your data</h1>
        <p className="mt-1 text-sm text-slate-600">
          Exports and reports never show your email or name: researchers and auditors see your ratings under a pseudonym that differs in every campaign.
        </p>
      </div>
      <Card>
        <CardHeader title="Download your data" description="Your account details, memberships, every rating you gave with its rationale, your flags and API keys (names only), as JSON." />
        <CardBody>
          <a href="/api/v1/me/data" download className="inline-flex rounded-md bg-indigo-600 px-3.5 py-2 text-sm font-semibold text-white hover:bg-indigo-700">Download my data (JSON)</a>
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Sign-in providers" description="Sign in with a provider account as well as your password. Linking asks the provider who you are; nothing else is shared." />
        <CardBody className="space-y-3 text-sm text-slate-700">
          {justLinked && <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-emerald-800">{justLinked} is linked: you can sign in with it from now on.</p>}
          {linkError && <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-rose-700">{linkError}</p>}
          {oauthProviders.length === 0 ? (
            <p className="text-slate-600">No sign-in providers are set up on this Margin; you sign in with your email and password.</p>
          ) : (
            <ul className="space-y-2">
              {oauthProviders.map((p) => (
                <li key={p.id} className="flex items-center justify-between gap-3">
                  <span className="font-medium text-slate-900">{p.name}</span>
                  {linked.has(p.id) ? <span className="text-emerald-700">Linked</span> : <LinkProviderButton id={p.id} name={p.name} />}
                </li>
              ))}
            </ul>
          )}
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Password" description="Changing it signs you out everywhere: every browser and device with a session has to sign in again." />
        <CardBody>
          {hasPassword ? <ChangePasswordForm /> : <p className="text-sm text-slate-600">You sign in through a sign-in provider, so there is no Margin password to change.</p>}
        </CardBody>
      </Card>
      <Card>
        <CardHeader title="Delete your account" description="This cannot be undone." />
        <CardBody className="space-y-3 text-sm text-slate-700">
          <p>
            Your email, name, password, languages and region are erased, your API keys and linked sign-in providers removed, and you are signed out.
            You will not be able to sign in again.
          </p>
          <p>
            Your ratings stay, attached only to the pseudonymous id, so reports already published remain reproducible. They can no longer be linked to you
            by anyone using Margin.
          </p>
          <DeleteAccountForm />
        </CardBody>
      </Card>
    </div>
  );
}
