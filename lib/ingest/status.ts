// What an import's outcome is called and how it is shown: one place for the import page, the report after an
// upload and the API. Pure (used by client components too).

export type ImportStatus = "running" | "succeeded" | "partial" | "failed" | "empty";
export type ImportCounts = { status: string; rowsTotal: number; rowsRejected: number };

/**
 * The outcome of a finished import from its counts: `empty` (the file had no rows), `failed` (nothing imported:
 * every row rejected, or an all-or-nothing file with a bad row), `partial` (some rows imported, some rejected),
 * `succeeded` (every row imported). Imports recorded before the `partial` and `empty` statuses existed (migration
 * 0009) say `succeeded` in the database; they are read through this too, so their history is as honest.
 */
export function importOutcome(i: ImportCounts): ImportStatus {
  if (i.status === "running") return "running";
  if (i.status === "failed") return "failed";
  if (i.rowsTotal === 0) return "empty";
  if (i.rowsRejected >= i.rowsTotal) return "failed";
  if (i.rowsRejected > 0) return "partial";
  return "succeeded";
}

export type ImportTone = "green" | "amber" | "rose" | "slate";
export const importTone: Record<ImportStatus, ImportTone> = { succeeded: "green", partial: "amber", failed: "rose", empty: "slate", running: "slate" };

const n = (v: number) => v.toLocaleString("en");
const rows = (v: number) => `${n(v)} ${v === 1 ? "row" : "rows"}`;


/** One sentence: what happened to the file's rows. */
export function importSentence(i: ImportCounts): string {
  const imported = i.rowsTotal - i.rowsRejected;
  switch (importOutcome(i)) {
    case "empty":
      return "Nothing was imported: the file has no rows.";
    case "failed":
      return i.rowsRejected < i.rowsTotal
        ? `Nothing was imported: ${n(i.rowsRejected)} of ${rows(i.rowsTotal)} rejected, and all-or-nothing was asked for.`
        : `Nothing was imported: ${i.rowsTotal === 1 ? "the file's one row was" : `all ${rows(i.rowsTotal)} were`} rejected.`;
    case "partial":
      return `${n(imported)} imported, ${n(i.rowsRejected)} rejected (of ${rows(i.rowsTotal)}).`;
    case "running":
      return "Importing…";
    default:
      return `Imported ${rows(i.rowsTotal)}.`;
  }
}
