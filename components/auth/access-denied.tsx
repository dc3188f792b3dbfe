import Link from "next/link";
import type { AppError } from "@/lib/errors";

/** The page people see for 401/403/404 raised by the permission checks: a message, never a crash. */
export function AccessDenied({ error }: { error: AppError }) {
  const title =
    error.code === "unauthorized" ? "Sign in to continue" : error.code === "forbidden" ? "You do not have access to this page" : "Not found";
  const text =
    error.code === "unauthorized"
      ? "This page needs an account."
      : error.code === "forbidden"
        ? "Your role does not allow this. Ask the campaign's owner if you think you should have access."
        : "It does not exist, or it is not shared with you.";
  return (
    <div className="mx-auto max-w-lg py-16 text-center" role="alert">
      <p className="text-sm font-semibold text-indigo-700">{error.status}</p>
      <h1 className="mt-2 text-2xl font-bold text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{text}</p>
      <div className="mt-6 flex justify-center gap-3 text-sm font-semibold">
        {error.code === "unauthorized" ? (
          <Link href="/signin" className="text-indigo-700 hover:underline">Sign in</Link>
        ) : (
          <Link href="/campaigns" className="text-indigo-700 hover:underline">Back to campaigns</Link>
        )}
      </div>
    </div>
  );
}
