"use client";
import { useEffect, useRef } from "react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { SignOutButton } from "./sign-out-button";

/**
 * The phone menu: a native disclosure (<details>), so it opens without JavaScript and is announced as expandable;
 * it closes when the page changes (client navigation keeps the layout, and with it an open <details>) and on Escape.
 * Every entry is at least 44 px tall.
 */
export function MobileMenu({ links, userName, signedIn }: { links: { href: string; label: string }[]; userName: string | null; signedIn: boolean }) {
  const ref = useRef<HTMLDetailsElement>(null);
  const pathname = usePathname();
  useEffect(() => {
    if (ref.current) ref.current.open = false;
  }, [pathname]);
  return (
    <details
      ref={ref}
      className="relative"
      onKeyDown={(e) => {
        if (e.key === "Escape" && ref.current?.open) {
          ref.current.open = false;
          ref.current.querySelector("summary")?.focus();
        }
      }}
    >
      <summary className="flex min-h-11 cursor-pointer list-none items-center gap-2 rounded-md px-3 text-sm font-semibold text-slate-700 ring-1 ring-inset ring-slate-300 [&::-webkit-details-marker]:hidden">
        <span aria-hidden className="flex flex-col gap-1">
          <span className="block h-0.5 w-4 bg-current" />
          <span className="block h-0.5 w-4 bg-current" />
          <span className="block h-0.5 w-4 bg-current" />
        </span>
        Menu
      </summary>
      <div className="absolute end-0 z-20 mt-2 w-64 max-w-[calc(100vw-2rem)] rounded-lg bg-white p-2 shadow-lg ring-1 ring-slate-200">
        {userName && <p className="truncate px-3 py-2 text-xs text-slate-500">Signed in as {userName}</p>}
        <ul>
          {links.map((l) => (
            <li key={l.href}>
              <Link href={l.href} className="flex min-h-11 items-center rounded-md px-3 text-sm font-medium text-slate-800 no-underline hover:bg-slate-100">
                {l.label}
              </Link>
            </li>
          ))}
        </ul>
        {signedIn && (
          <div className="mt-1 border-t border-slate-100 pt-1 [&>button]:min-h-11 [&>button]:w-full [&>button]:px-3 [&>button]:text-start">
            <SignOutButton />
          </div>
        )}
      </div>
    </details>
  );
}
