import { sql } from "drizzle-orm";
import { getDb } from "@/db";

// GET /api/health – liveness and database reachability (for load balancers and the e2e server wait). Says which
// dependency is down, and how long the check took, so an operator sees a slow database before a dead one.
export async function GET() {
  const started = performance.now();
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ ok: true, database: { ok: true, ms: Math.round(performance.now() - started) } });
  } catch {
    return Response.json(
      { ok: false, database: { ok: false, ms: Math.round(performance.now() - started) }, error: { code: "unavailable", message: "Database unreachable" } },
      { status: 503, headers: { "retry-after": "2" } },
    );
  }
}
