// Runs once when the Next.js server starts: refuse to serve production traffic without a session secret
// (next-auth would otherwise fail on the first request with a less clear error).
export function register() {
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  // A configured read replica is checked at start (db/replica.ts), so a wrong REPORTS_DATABASE_URL is in the log
  // before the first report asks for it. Not awaited: the check never holds up start-up, and it logs its own findings.
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.REPORTS_DATABASE_URL) void import("./db/replica").then((m) => m.checkReplicaOnStart());
  if (process.env.NODE_ENV !== "production") return;
  const secret = process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET;
  if (!secret || secret.length < 32) {
    console.error("margin: AUTH_SECRET (at least 32 characters) is required in production. Generate one with: openssl rand -base64 32");
    process.exit(1);
  }
}
