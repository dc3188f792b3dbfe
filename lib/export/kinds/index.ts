import type { ExportKind } from "../types";
import { designExport } from "./design";
import { itemsExport } from "./items";
import { judgmentsExport } from "./judgments";
import { reportExport } from "./report";

/**
 * The registry of exportable kinds. Adding one is one file exporting an ExportKind and one line here: the API
 * route, the bundle, the manifest and the exports page all read this list.
 */
export const EXPORT_KINDS: Record<string, ExportKind> = {
  items: itemsExport,
  judgments: judgmentsExport,
  report: reportExport,
  design: designExport,
};

export const exportKindNames = () => Object.keys(EXPORT_KINDS);

export function exportKind(name: string): ExportKind | undefined {
  return Object.hasOwn(EXPORT_KINDS, name) ? EXPORT_KINDS[name] : undefined;
}
