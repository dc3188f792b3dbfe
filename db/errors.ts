/** One readable line for a database that cannot be reached or used, instead of a driver stack trace. */
export function describeDbError(error: unknown, url?: string): string {
  // drizzle wraps driver errors ("Failed query: …") and keeps the driver's error as `cause`.
  let inner: unknown = error;
  while ((inner as { cause?: unknown })?.cause && !(inner as { code?: string }).code) inner = (inner as { cause: unknown }).cause;
  const e = inner as { code?: string; message?: string; errno?: string };
  const where = url ? redactUrl(url) : "the embedded database";
  const code = e?.code ?? e?.errno;
  switch (code) {
    case "ECONNREFUSED":
      return `Cannot connect to PostgreSQL at ${where}: connection refused. Is the server running?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Cannot connect to PostgreSQL at ${where}: host not found. Check DATABASE_URL.`;
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return `Cannot connect to PostgreSQL at ${where}: timed out.`;
    case "3D000":
      return `PostgreSQL at ${where}: the database does not exist (${e.message}). Create it or fix DATABASE_URL.`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${where} refused the login (${e.message}). Check the user and password in DATABASE_URL.`;
    default:
      return `Database error at ${where}: ${e?.message ?? String(error)}`;
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "an invalid DATABASE_URL";
  }
}

/** Validate the URL's shape before handing it to the driver (which would otherwise throw obscurely). */
export function checkDatabaseUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "DATABASE_URL is not a valid URL (expected postgres://user:password@host:5432/database).";
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    return `DATABASE_URL must start with postgres:// or postgresql:// (got ${u.protocol}//).`;
  }
  return null;
}
