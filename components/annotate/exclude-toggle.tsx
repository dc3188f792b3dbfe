"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { postJson } from "./use-work-api";

/** Leave a contributor's judgments out of reports (or bring them back); the server records an audit event. */
export function ExcludeToggle({ slug, userId, name, excluded }: { slug: string; userId: string; name: string; excluded: boolean }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <Button
        variant={excluded ? "secondary" : "ghost"}
        className="px-2 py-1 text-xs"
        disabled={busy}
        aria-label={`${excluded ? "Include" : "Exclude"} ${name}`}
        onClick={async () => {
          setBusy(true);
          const r = await postJson(`/api/campaigns/${encodeURIComponent(slug)}/contributors/${userId}/exclusion`, { excludedFromReports: !excluded }, "PUT");
          setBusy(false);
          if (!r.ok) return setError(r.error.message);
          setError(null);
          router.refresh();
        }}
      >
        {excluded ? "Include" : "Exclude"}
      </Button>
      {error && <span role="alert" className="text-xs text-rose-700">{error}</span>}
    </span>
  );
}
