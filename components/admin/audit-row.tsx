"use client";

import { useState } from "react";
import { FormattedDate } from "@/components/ui/date";
import { Td } from "@/components/ui/table";

export type AuditRowData = {
  id: number;
  action: string;
  actorEmail: string | null;
  targetType: string | null;
  targetId: string | null;
  campaignName: string | null;
  ip: string | null;
  details: Record<string, unknown>;
  createdAt: Date | string;
};

/** One audit event: a line with its details' start, and a button that opens the whole JSON on a full-width row. */
export function AuditRow({ row: r }: { row: AuditRowData }) {
  const [open, setOpen] = useState(false);
  const has = Object.keys(r.details).length > 0;
  const detailId = `audit-details-${r.id}`;
  return (
    <>
      <tr data-audit-event={r.id}>
        <Td className="text-xs"><FormattedDate value={r.createdAt} /></Td>
        <Td className="font-medium text-slate-900">{r.action}</Td>
        <Td className="max-w-[13rem] truncate" >{r.actorEmail ?? <span className="text-slate-500">anonymous</span>}</Td>
        <Td className="max-w-[11rem] truncate text-xs">{r.targetType ? <span title={`${r.targetType}: ${r.targetId ?? ""}`}>{r.targetType}: {r.targetId ?? ""}</span> : "—"}</Td>
        <Td className="max-w-[11rem] truncate">{r.campaignName ?? "—"}</Td>
        <Td className="text-xs">
          {has || r.ip ? (
            <button
              type="button"
              aria-expanded={open}
              aria-controls={detailId}
              onClick={() => setOpen((v) => !v)}
              className="flex max-w-[16rem] items-center gap-1 text-left font-mono text-slate-700 hover:text-slate-900"
            >
              <span aria-hidden className="text-slate-500">{open ? "▾" : "▸"}</span>
              <span className="sr-only">{open ? "Hide details" : "Show details"}: </span>
              <span className="truncate">{has ? JSON.stringify(r.details) : "—"}</span>
            </button>
          ) : null}
        </Td>
      </tr>
      {open && (
        <tr id={detailId} data-audit-details={r.id}>
          <td colSpan={6} className="bg-slate-50 px-3 py-3">
            <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words rounded-md bg-white p-3 font-mono text-xs text-slate-800 ring-1 ring-inset ring-slate-200" aria-label={`Details of event ${r.id}`}>
              {JSON.stringify(r.details, null, 2)}
            </pre>
            <p className="mt-1 text-xs text-slate-500">
              Event {r.id} · {r.action}
              {r.ip ? ` · from ${r.ip}` : ""}
            </p>
          </td>
        </tr>
      )}
    </>
  );
}
