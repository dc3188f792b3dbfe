// Spreadsheet formula injection (CWE-1236): a cell that begins with = + - @, a tab or a carriage return can be
// run as a formula when the CSV is opened in Excel, LibreOffice or Sheets. OWASP's advice: prefix such cells with
// an apostrophe so they are read as text. Applied to every CSV cell Margin writes (exports and the audit trail).
export const FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r"] as const;
const DANGEROUS_FIRST = new Set<string>(FORMULA_PREFIXES);

export function neutraliseCell(value: string): string {
  return value.length > 0 && DANGEROUS_FIRST.has(value[0]!) ? `'${value}` : value;
}

/** The text of one CSV cell: empty for null, JSON for objects, ISO-8601 for dates, then neutralised. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return neutraliseCell(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return neutraliseCell(String(value));
  return neutraliseCell(JSON.stringify(value));
}
