import { apiRoute } from "@/lib/api/route";

// GET /api/v1/me – who the caller is (session or API key); the simplest way to check a key works.
export const GET = apiRoute({}, async ({ actor }) => ({
  id: actor!.id,
  name: actor!.name,
  email: actor!.email,
  role: actor!.role,
  via: actor!.via,
}));
