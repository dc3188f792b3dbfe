import { sql } from "drizzle-orm";
import { getDb } from "@/db";

// GET /api/health – liveness and database reachability (for load balancers and the e2e server wait).
export async function GET() {
  try {
    const db = await getDb();
    await db.execute(sql`select 1`);
    return Response.json({ ok: true });
  } catch {
    return Response.json({ ok: false, error: { code: "unavailable", message: "Database unreachable" } }, { status: 503 });
  }
}
