"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { flagReasonOptions } from "@/lib/assign/shortcuts";

export function SkipDialog({ busy, onSkip, onCancel }: { busy: boolean; onSkip: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState("");
  return (
    <form
      role="dialog"
      aria-label="Skip this item"
      className="space-y-3 rounded-lg bg-amber-50 p-4 ring-1 ring-amber-200"
      onSubmit={(e) => {
        e.preventDefault();
        onSkip(reason);
      }}
    >
      <label className="block text-sm font-medium text-slate-800" htmlFor="skip-reason">Reason for skipping (optional)</label>
      <input
        id="skip-reason"
        autoFocus
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        onKeyDown={(e) => e.key === "Escape" && onCancel()}
        placeholder="e.g. I do not read this language"
        className="block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
      />
      <div className="flex gap-2">
        <Button type="submit" disabled={busy}>Skip item</Button>
        <Button type="button" variant="ghost" onClick={onCancel}>Cancel (Esc)</Button>
      </div>
    </form>
  );
}

export function FlagDialog({ busy, onFlag, onCancel }: { busy: boolean; onFlag: (reason: string, note: string) => void; onCancel: () => void }) {
  const [note, setNote] = useState("");
  return (
    <div
      role="dialog"
      aria-label="Flag this item"
      className="space-y-3 rounded-lg bg-rose-50 p-4 ring-1 ring-rose-200"
      onKeyDown={(e) => {
        if (e.key === "Escape") return onCancel();
        if (e.target instanceof HTMLInputElement) return;
        const r = flagReasonOptions.find((o) => o.key === e.key);
        if (r) {
          e.preventDefault();
          onFlag(r.value, note);
        }
      }}
    >
      <p className="text-sm font-medium text-slate-800">What is wrong with it? The researchers will review it.</p>
      <div className="flex flex-wrap gap-2">
        {flagReasonOptions.map((o, i) => (
          <Button key={o.value} type="button" variant="secondary" autoFocus={i === 0} disabled={busy} onClick={() => onFlag(o.value, note)}>
            <kbd className="rounded bg-slate-100 px-1 text-xs text-slate-500">{o.key}</kbd> {o.label}
          </Button>
        ))}
      </div>
      <label className="block text-sm text-slate-700" htmlFor="flag-note">Note (optional)</label>
      <input
        id="flag-note"
        maxLength={1000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        className="block w-full rounded-md border-0 px-3 py-2 text-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
      />
      <Button type="button" variant="ghost" onClick={onCancel}>Cancel (Esc)</Button>
    </div>
  );
}

export const shortcutList: [string, string][] = [
  ["1–9", "choose a rating (A / B / T on pairwise items)"],
  ["Enter", "submit and go to the next item (Ctrl+Enter inside the rationale box)"],
  ["S", "skip (you will not see this item again)"],
  ["F", "flag for the researchers (then 1–5 for the reason)"],
  ["?", "show or hide these shortcuts"],
  ["Esc", "close a panel"],
];

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <div role="dialog" aria-label="Keyboard shortcuts" className="rounded-lg bg-slate-900 p-4 text-sm text-slate-100">
      <div className="mb-2 flex items-center justify-between">
        <h2 className="font-semibold">Keyboard shortcuts</h2>
        <button type="button" className="text-slate-300 hover:text-white" onClick={onClose}>Close</button>
      </div>
      <dl className="grid grid-cols-[5rem_1fr] gap-x-3 gap-y-1">
        {shortcutList.map(([k, v]) => (
          <div key={k} className="contents">
            <dt><kbd className="rounded bg-slate-700 px-1.5 py-0.5 font-mono text-xs">{k}</kbd></dt>
            <dd className="text-slate-300">{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
