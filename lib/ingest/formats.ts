import { AppError } from "@/lib/errors";

export type ImportFormat = "jsonl" | "csv" | "json";

const BY_TYPE: Record<string, ImportFormat> = {
  "application/x-ndjson": "jsonl",
  "application/jsonl": "jsonl",
  "application/x-jsonlines": "jsonl",
  "application/jsonlines": "jsonl",
  "text/csv": "csv",
  "application/csv": "csv",
  "application/json": "json",
};
const BY_EXT: Record<string, ImportFormat> = { jsonl: "jsonl", ndjson: "jsonl", csv: "csv", json: "json" };

/**
 * The import format from the Content-Type, or from the file name when the type is generic (browsers send
 * "" or application/octet-stream for .jsonl). Anything else is refused before a byte is read.
 */
export function detectFormat(contentType: string | null, filename: string | null): ImportFormat {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (BY_TYPE[type]) return BY_TYPE[type];
  const ext = filename?.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if ((type === "" || type === "application/octet-stream" || type === "text/plain") && ext && BY_EXT[ext]) return BY_EXT[ext];
  throw new AppError("unsupported_type", `Unsupported file type${type ? ` “${type}”` : ""}${filename ? ` (${filename})` : ""}: send JSONL (application/x-ndjson), CSV (text/csv) or a JSON array (application/json).`);
}

export function maxUploadBytes(): number {
  const mb = Number(process.env.MAX_UPLOAD_MB ?? "50");
  return Math.round((Number.isFinite(mb) && mb > 0 ? mb : 50) * 1024 * 1024);
}

/** Pass chunks through, refusing binary content (a NUL in the first chunk) and anything past `max` bytes. */
export async function* guardStream(src: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  let first = true;
  for await (const chunk of src) {
    total += chunk.byteLength;
    if (total > max) throw new AppError("too_large", `The file is over the ${Math.round(max / 1048576)} MB limit; nothing was imported.`);
    if (first && chunk.includes(0)) throw new AppError("unsupported_type", "This is not a text file (CSV, JSONL or JSON); nothing was imported.");
    first = false;
    yield chunk;
  }
}
