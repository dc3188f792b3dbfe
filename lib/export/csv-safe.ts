// Spreadsheet formula injection (CWE-1236): a text cell that begins with = + - @, a tab or a carriage return — or
// the fullwidth ＝ ＋ － ＠, which some spreadsheets fold to their ASCII forms — can be run as a formula when the CSV
// is opened in Excel, LibreOffice or Sheets. OWASP's advice: prefix such cells with an apostrophe so they are read
// as text. Applied to every text cell Margin writes (exports and the audit trail). Numbers are written as numbers:
// a negative number is no formula, and an apostrophe would make a numeric column load as text.
export const FORMULA_PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"] as const;
const DANGEROUS_FIRST = new Set<string>(FORMULA_PREFIXES);

export function neutraliseCell(value: string): string {
  return value.length > 0 && DANGEROUS_FIRST.has(value[0]!) ? `'${value}` : value;
}

/** The text of one CSV cell: empty for null, numbers as they are, JSON for objects, ISO-8601 for dates; text neutralised. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return neutraliseCell(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return neutraliseCell(JSON.stringify(value));
}
