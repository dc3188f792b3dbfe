"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { workApi } from "./use-work-api";

/** Join a public campaign, then reload the server page (which now leases the first item). */
export function JoinButton({ slug, label = "Join and start rating" }: { slug: string; label?: string }) {
  const router = useRouter();
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
          router.push(`/campaigns/${slug}/rate`);
          router.refresh();
        }}
      >
        {busy ? "Joining…" : label}
      </Button>
      {error && <p role="alert" className="text-sm text-rose-700">{error}</p>}
    </div>
  );
}
