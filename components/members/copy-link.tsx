"use client";

import { useState, useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";

const subscribe = () => () => {};

/** A link to share, shown in full (absolute, once in the browser) with a button that copies it. */
export function CopyLink({ path, label = "Invitation link" }: { path: string; label?: string }) {
  const origin = useSyncExternalStore(subscribe, () => window.location.origin, () => "");
  const url = `${origin}${path}`;
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      setCopied("yes");
    } catch {
      // No clipboard permission (or not a secure context): the field is selected for a manual copy.
      setCopied("no");
    }
    setTimeout(() => setCopied(null), 4000);
  }
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      <input
        readOnly
        value={url}
        aria-label={label}
        onFocus={(e) => e.currentTarget.select()}
        className="min-w-0 flex-1 basis-64 rounded-md border-0 bg-slate-50 px-2 py-1.5 font-mono text-xs text-slate-800 ring-1 ring-inset ring-slate-300"
      />
      <Button type="button" variant="secondary" className="px-2.5 py-1.5 text-xs" onClick={() => void copy()}>
        Copy link
      </Button>
      <span aria-live="polite" className="text-xs text-slate-600">
        {copied === "yes" ? "Copied." : copied === "no" ? "Select the link and copy it." : ""}
      </span>
    </div>
  );
}
