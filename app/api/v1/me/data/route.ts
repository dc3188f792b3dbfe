import { apiRoute } from "@/lib/api/route";
import { attachment } from "@/lib/export/http";
import { exportMyData } from "@/lib/users/privacy";

export const dynamic = "force-dynamic";

// GET /api/v1/me/data – everything Margin holds about the caller (account, memberships, judgments, keys), JSON.
export const GET = apiRoute({}, async ({ actor, db }) => {
  const data = await exportMyData(db, actor!.id);
  return new Response(`${JSON.stringify(data, null, 2)}\n`, {
    headers: { "content-type": "application/json; charset=utf-8", "content-disposition": attachment("margin-my-data.json"), "cache-control": "no-store" },
  });
});
