import { z } from "zod";

// Environment, validated once. Unknown or malformed values fail with a message naming the variable.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().optional(),
  REPORTS_DATABASE_URL: z.string().optional(),
  MARGIN_DATA_DIR: z.string().optional(),
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
  MAX_UPLOAD_MB: z.coerce.number().positive().max(2048).default(50),
  GITHUB_ID: z.string().optional(),
  GITHUB_SECRET: z.string().optional(),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
});

export type Env = z.infer<typeof schema>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = schema.safeParse({ ...source, AUTH_SECRET: source.AUTH_SECRET ?? source.NEXTAUTH_SECRET });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(`Invalid environment: ${first?.path.join(".")}: ${first?.message}`);
  }
  return parsed.data;
}

/** The secret next-auth signs sessions with. Production refuses to run without one (see scripts/start.ts). */
export function authSecret(): string | undefined {
  return process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET;
}
