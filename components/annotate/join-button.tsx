"use client";
import { useState } from "react";
import { usePathname, useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { workApi } from "./use-work-api";

/**
 * Join a public campaign, then render the rating page once (it leases the first item). Once: two renders at the
 * same time (a push and a refresh) would lease two items for this person in a race, and show either.
 */
export function JoinButton({ slug, label = "Join and start rating" }: { slug: string; label?: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="space-y-2">
      <Button
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          const r = await workApi(slug).join();
          if (!r.ok) {
            setBusy(false);
            return setError(r.error.message);
          }
          const rate = `/campaigns/${slug}/rate`;
          if (pathname === rate) router.refresh();
          else router.push(rate);
        }}
      >
        {busy ? "Joining…" : label}
      </Button>
      {error && <p role="alert" className="text-sm text-rose-700">{error}</p>}
    </div>
  );
}
