import Link from "next/link";
import type { CurrentUser } from "@/lib/auth/session";
import { Badge } from "@/components/ui/badge";
import { SignOutButton } from "./sign-out-button";

export function SiteHeader({ user }: { user: CurrentUser | null }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3" aria-label="Main">
        <div className="flex items-center gap-6">
          <Link href="/" className="flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
            <span aria-hidden className="inline-block h-5 w-1.5 rounded-sm bg-indigo-600" />
            Margin
          </Link>
          <Link href="/campaigns" className="text-sm font-medium text-slate-600 hover:text-slate-900">
            Campaigns
          </Link>
          {user && (
            <Link href="/contribute" className="text-sm font-medium text-slate-600 hover:text-slate-900">
              My campaigns
            </Link>
          )}
          {user?.role === "admin" && (
            <Link href="/admin/users" className="text-sm font-medium text-slate-600 hover:text-slate-900">
              Users
            </Link>
          )}
          {(user?.role === "admin" || user?.role === "auditor") && (
            <Link href="/admin/audit" className="text-sm font-medium text-slate-600 hover:text-slate-900">
              Audit
            </Link>
          )}
        </div>
        <div className="flex items-center gap-3 text-sm">
          {user ? (
            <>
              <Link href="/settings/api-keys" className="hidden text-slate-600 hover:text-slate-900 md:inline">
                API keys
              </Link>
              <Link href="/settings/privacy" className="hidden text-slate-600 hover:text-slate-900 md:inline">
                Privacy
              </Link>
              <span className="hidden text-slate-700 sm:inline">{user.name}</span>
              <Badge tone="indigo">{user.role}</Badge>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/signup" className="font-medium text-slate-600 hover:text-slate-900">
                Join
              </Link>
              <Link href="/signin" className="font-semibold text-indigo-700 hover:text-indigo-900">
                Sign in
              </Link>
            </>
          )}
        </div>
      </nav>
    </header>
  );
}
