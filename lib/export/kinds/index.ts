import type { ExportKind } from "../types";
import { itemsExport } from "./items";
import { judgmentsExport } from "./judgments";

/**
 * The registry of exportable kinds. Adding one (the report, once lib/report lands) is one file exporting an
 * ExportKind and one line here: the API route, the bundle, the manifest and the exports page all read this list.
 * A report kind would implement `batches` by yielding its rows (overall, per bucket, per group, with intervals).
 */
export const EXPORT_KINDS: Record<string, ExportKind> = {
  items: itemsExport,
  judgments: judgmentsExport,
};

export const exportKindNames = () => Object.keys(EXPORT_KINDS);

export function exportKind(name: string): ExportKind | undefined {
  return Object.hasOwn(EXPORT_KINDS, name) ? EXPORT_KINDS[name] : undefined;
}
