import { createHmac } from "node:crypto";

// Exports name people by a pseudonym, never by email or name. HMAC-SHA256 keyed with an install secret over
// "campaignId:userId": stable for one campaign across exports (so an auditor can group a rater's labels),
// different across campaigns (so two exports cannot be joined on the person), and not reversible without the key.
// PSEUDONYM_SECRET lets an install rotate AUTH_SECRET without changing published pseudonyms.
const DEV_SECRET = "margin-development-pseudonym-secret-not-for-production";

export function pseudonymSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = env.PSEUDONYM_SECRET ?? env.AUTH_SECRET ?? env.NEXTAUTH_SECRET;
  if (secret) return secret;
  if (env.NODE_ENV === "production") throw new Error("Set PSEUDONYM_SECRET or AUTH_SECRET: exports need a secret to pseudonymise annotators");
  return DEV_SECRET;
}

/** "a_" + 16 hex characters (64 bits): collisions are negligible for any realistic number of raters. */
export function annotatorPseudonym(secret: string, campaignId: string, userId: string): string {
  return `a_${createHmac("sha256", secret).update(`${campaignId}:${userId}`).digest("hex").slice(0, 16)}`;
}

/**
 * Raters imported with a pseudonym keep it ("x_" + pseudonym) so a researcher can match their own study, unless
 * it looks like an email address, which is then hashed like an account id.
 */
export function externalPseudonym(secret: string, campaignId: string, raterId: string, pseudonym: string): string {
  if (pseudonym.includes("@") || pseudonym.length > 64) return `x_${createHmac("sha256", secret).update(`${campaignId}:ext:${raterId}`).digest("hex").slice(0, 16)}`;
  return `x_${pseudonym}`;
}
