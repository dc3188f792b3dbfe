import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { apiKeys, users } from "@/db/schema";
import type { GlobalRole } from "./permissions";

// Keys look like mgn_<8-char prefix>_<32 random bytes>. Only SHA-256(key) is stored: the key is a random
// 256-bit secret, so a fast hash is enough (no password-style KDF needed) and lookups stay one index probe.
const PREFIX = "mgn_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString("base64url").slice(0, 8);
  const key = `${PREFIX}${prefix}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix: `${PREFIX}${prefix}`, hash: hashApiKey(key) };
}

export type ApiKeyActor = { id: string; role: GlobalRole; name: string; email: string; apiKeyId: string };

/** Resolve a bearer key to its owner; revoked keys and deleted owners fail at once. Records last use. */
export async function authenticateApiKey(db: Db, key: string): Promise<ApiKeyActor | null> {
  if (!key.startsWith(PREFIX) || key.length > 200) return null;
  const [row] = await db
    .select({ apiKeyId: apiKeys.id, id: users.id, role: users.role, name: users.name, email: users.email })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.keyHash, hashApiKey(key)), isNull(apiKeys.revokedAt), isNull(users.deletedAt)));
  if (!row) return null;
  // Coarse last-used stamp: at most one write a minute per key keeps the hot path cheap.
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiKeys.id, row.apiKeyId), sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - interval '1 minute')`));
  return row;
}
