import Link from "next/link";
import type { CurrentUser } from "@/lib/auth/session";
import { Badge } from "@/components/ui/badge";
import { MobileMenu } from "./mobile-menu";
import { SignOutButton } from "./sign-out-button";

type NavLink = { href: string; label: string };

/** The links a person sees, in one list for both layouts (the full bar and the phone menu). */
export function navLinks(user: CurrentUser | null): { main: NavLink[]; account: NavLink[] } {
  const main: NavLink[] = [{ href: "/campaigns", label: "Campaigns" }];
  if (user) main.push({ href: "/contribute", label: "My campaigns" });
  if (user?.role === "admin") main.push({ href: "/admin/users", label: "Users" });
  if (user?.role === "admin" || user?.role === "auditor") main.push({ href: "/admin/audit", label: "Audit" });
  const account: NavLink[] = user
    ? [
        { href: "/settings/api-keys", label: "API keys" },
        { href: "/settings/privacy", label: "Privacy" },
      ]
    : [
        { href: "/signup", label: "Join" },
        { href: "/signin", label: "Sign in" },
      ];
  return { main, account };
}

const linkClass = "rounded-md px-1 py-2 text-sm font-medium text-slate-600 underline-offset-4 hover:text-slate-900 hover:underline";

/**
 * The header: the full bar from 768 px up; below that the brand, the person's role and a Menu button that opens
 * every link (and Sign out) as a list of large targets, so nothing is pushed off a 360 px screen.
 */
export function SiteHeader({ user }: { user: CurrentUser | null }) {
  const { main, account } = navLinks(user);
  return (
    <header className="border-b border-slate-200 bg-white">
      <nav className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3" aria-label="Main">
        <div className="flex min-w-0 items-center gap-6">
          <Link href="/" className="flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
            <span aria-hidden className="inline-block h-5 w-1.5 rounded-sm bg-indigo-600" />
            Margin
          </Link>
          <div className="hidden items-center gap-5 md:flex">
            {main.map((l) => (
              <Link key={l.href} href={l.href} className={linkClass}>
                {l.label}
              </Link>
            ))}
          </div>
        </div>
        <div className="flex items-center gap-3 text-sm">
          {/* One role badge for both layouts. */}
          {user && <Badge tone="indigo">{user.role}</Badge>}
          <div className="hidden items-center gap-3 md:flex">
          {user ? (
            <>
              {account.map((l) => (
                <Link key={l.href} href={l.href} className={linkClass}>
                  {l.label}
                </Link>
              ))}
              <span className="hidden text-slate-700 lg:inline">{user.name}</span>
              <SignOutButton />
            </>
          ) : (
            <>
              <Link href="/signup" className={linkClass}>
                Join
              </Link>
              <Link href="/signin" className="rounded-md px-1 py-2 font-semibold text-indigo-700 underline-offset-4 hover:text-indigo-900 hover:underline">
                Sign in
              </Link>
            </>
          )}
          </div>
          <div className="md:hidden">
            <MobileMenu links={[...main, ...account]} userName={user?.name ?? null} signedIn={user !== null} />
          </div>
        </div>
      </nav>
    </header>
  );
}
