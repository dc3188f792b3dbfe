import Link from "next/link";
import type { AppError } from "@/lib/errors";

type Props = { status: number; title: string; text: string; extra?: string; signIn?: string | null };

/** The body of the 401/403/404 pages (app/not-found.tsx, app/forbidden.tsx): a message and a way on, never a crash. */
export function RefusalView({ status, title, text, extra, signIn }: Props) {
  return (
    <div className="mx-auto max-w-lg py-16 text-center" role="alert">
      <p className="text-sm font-semibold text-indigo-700">{status}</p>
      <h1 className="mt-2 text-2xl font-bold text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{text}</p>
      {extra && <p className="mt-2 text-slate-600">{extra}</p>}
      <div className="mt-6 flex justify-center gap-3 text-sm font-semibold">
        {signIn !== undefined ? (
          <Link href={signIn ? `/signin?${new URLSearchParams({ callbackUrl: signIn }).toString()}` : "/signin"} className="text-indigo-700 hover:underline">Sign in</Link>
        ) : (
          <Link href="/campaigns" className="text-indigo-700 hover:underline">Back to campaigns</Link>
        )}
      </div>
    </div>
  );
}

/** A refusal shown inside a page (pages themselves answer with components/auth/deny.ts, which sets the status). */
export function AccessDenied({ error }: { error: AppError }) {
  if (error.code === "unauthorized") return <RefusalView status={401} title="Sign in to continue" text="This page needs an account." signIn={null} />;
  if (error.code === "forbidden") return <RefusalView status={403} title="You do not have access to this page" text={error.message} />;
  return <RefusalView status={404} title="Not found" text="It does not exist, or it is not shared with you." />;
}
