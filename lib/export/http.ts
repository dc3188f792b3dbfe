import type { ExportDownload } from "./service";

/** RFC 6266 attachment header with an ASCII fallback (slugs are ASCII already; this keeps it safe anyway). */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\w.-]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * A streaming Response pulled by the client: each read asks the generator for the next chunk (backpressure),
 * and a client that goes away cancels the stream, which closes the generator (no page query is left running).
 */
export function downloadResponse(d: ExportDownload): Response {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await d.body.next();
        if (next.done) {
          controller.close();
          await d.close();
        } else controller.enqueue(next.value);
      } catch (e) {
        await d.close();
        controller.error(e);
      }
    },
    async cancel() {
      await d.body.return(undefined);
      await d.close();
    },
  });
  const headers = new Headers({
    "content-type": d.contentType,
    "content-disposition": attachment(d.filename),
    "cache-control": "no-store",
    "x-export-id": d.exportId,
    "x-export-rows": String(d.rowEstimate),
  });
  if (d.contentLength !== undefined) headers.set("content-length", String(d.contentLength));
  if (d.sha256) headers.set("x-export-sha256", d.sha256);
  return new Response(body, { headers });
}
