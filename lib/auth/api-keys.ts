import { createHash, randomBytes } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { apiKeys, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
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

/** Create a key for a user; the plain key is returned once and never stored. */
export async function createApiKey(db: Db, input: { userId: string; name: string; ip?: string | null }): Promise<{ id: string; key: string; prefix: string }> {
  const { key, prefix, hash } = generateApiKey();
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(apiKeys).values({ userId: input.userId, name: input.name, prefix, keyHash: hash }).returning({ id: apiKeys.id });
    await recordAudit(tx, { actorId: input.userId, action: "api_key.create", targetType: "api_key", targetId: row!.id, ip: input.ip, details: { name: input.name, prefix } });
    return { id: row!.id, key, prefix };
  });
}

export async function listApiKeys(db: Db, userId: string) {
  return db
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(eq(apiKeys.userId, userId))
    .orderBy(sql`${apiKeys.revokedAt} is not null`, sql`${apiKeys.createdAt} desc`);
}

/** Revoke one of the caller's own keys (another person's key id is "not found"). Effective immediately. */
export async function revokeApiKey(db: Db, input: { userId: string; keyId: string; ip?: string | null }): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, input.keyId), eq(apiKeys.userId, input.userId), isNull(apiKeys.revokedAt)))
      .returning({ prefix: apiKeys.prefix });
    if (rows.length === 0) throw new AppError("not_found", "No such active API key");
    await recordAudit(tx, { actorId: input.userId, action: "api_key.revoke", targetType: "api_key", targetId: input.keyId, ip: input.ip, details: { prefix: rows[0]!.prefix } });
  });
}
