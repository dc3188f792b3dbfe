import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { openMigratedDb } from "@/db/migrate";
import { checkDatabaseUrl, describeDbError } from "@/db/errors";
import { isEmpty, seedDemo } from "@/db/seed";

/**
 * Migrate (idempotent) and, when the database has no users yet, seed the demo. Returns a one-line error
 * message instead of throwing, so callers can print it and exit non-zero without a stack trace.
 */
export async function prepareDatabase(opts: { seed: boolean; dataDir?: string }): Promise<{ ok: true; seeded: boolean } | { ok: false; message: string }> {
  const url = process.env.DATABASE_URL || undefined;
  if (url) {
    const problem = checkDatabaseUrl(url);
    if (problem) return { ok: false, message: problem };
  }
  let handle;
  try {
    handle = await openMigratedDb({ url, directUrl: process.env.DATABASE_DIRECT_URL?.trim() || undefined, dataDir: opts.dataDir, max: 2 });
  } catch (e) {
    return { ok: false, message: describeDbError(e, url) };
  }
  try {
    let seeded = false;
    if (opts.seed && (await isEmpty(handle.db))) {
      await seedDemo(handle.db);
      seeded = true;
    }
    return { ok: true, seeded };
  } catch (e) {
    return { ok: false, message: describeDbError(e, url) };
  } finally {
    await handle.close();
  }
}

/**
 * The session-signing secret. A real deployment (DATABASE_URL set, or NODE_ENV=production without the
 * embedded database) must provide AUTH_SECRET; the embedded single-machine default keeps a random one in its
 * data folder (mode 600) so `npm start` works on a fresh clone and sessions survive restarts.
 */
export function resolveAuthSecret(): { ok: true; secret: string; generated: boolean } | { ok: false; message: string } {
  const given = process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET;
  if (given) {
    if (given.length < 32) return { ok: false, message: "AUTH_SECRET must be at least 32 characters (try: openssl rand -base64 32)." };
    return { ok: true, secret: given, generated: false };
  }
  if (process.env.DATABASE_URL) {
    return { ok: false, message: "AUTH_SECRET is required when DATABASE_URL is set (generate one with: openssl rand -base64 32)." };
  }
  const dir = path.join(process.cwd(), ".margin");
  const file = path.join(dir, "auth-secret");
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  return { ok: true, secret: fs.readFileSync(file, "utf8").trim(), generated: true };
}
