import { apiRoute, parseOrThrow } from "@/lib/api/route";
import { auditCsv } from "@/lib/audit/export-csv";
import { auditFilterOf, auditQueryParams, auditQuerySchema } from "@/lib/audit/filter";
import { recordAudit } from "@/lib/audit/record";
import { can } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { attachment } from "@/lib/export/http";

export const dynamic = "force-dynamic";

// GET /api/v1/audit.csv?action=&actor=&campaign=&from=&to= – the filtered audit trail as CSV, streamed (global
// auditors and admins); the same filters as the audit page (lib/audit/filter.ts), so it exports what the page lists.
export const GET = apiRoute({}, async ({ req, actor, db, ip }) => {
  if (!can(actor, "audit:read")) throw new AppError("forbidden", "Admins and auditors only");
  const url = new URL(req.url);
  const q = parseOrThrow(auditQuerySchema, Object.fromEntries([...url.searchParams].filter(([, v]) => v !== "")), "query");
  const filter = auditFilterOf(q);
  await recordAudit(db, { actorId: actor!.id, action: "audit.export", ip, details: auditQueryParams(q) });
  const gen = auditCsv(db, filter);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await gen.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await gen.return(undefined);
    },
  });
  return new Response(body, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": attachment("margin-audit-trail.csv"), "cache-control": "no-store" } });
});
