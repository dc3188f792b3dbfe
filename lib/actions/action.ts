import { headers } from "next/headers";
import { clientIpFrom } from "@/lib/http/client-ip";
import { type z } from "zod";
import { getDb, type Db } from "@/db";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { findUnstorable } from "@/lib/validation/storable";

import type { ErrorCode } from "@/lib/errors";

export type ActionState =
  | {
      error?: string;
      code?: ErrorCode;
      fieldErrors?: Record<string, string>;
      success?: string;
      /** What was submitted (never passwords), so a failed form can be shown again filled in. */
      values?: Record<string, string>;
    }
  | undefined;

function echo(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formData.entries()) if (typeof v === "string" && !/password|secret|token/i.test(k) && !k.startsWith("$ACTION")) out[k] = v;
  return out;
}
type Ctx<U> = { user: U; db: Db; ip: string | null };

function formToObject(formData: FormData): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [k, v] of formData.entries()) {
    if (k.startsWith("$ACTION")) continue;
    raw[k] = k in raw ? ([] as unknown[]).concat(raw[k], v) : v;
  }
  return raw;
}

async function run<S extends z.ZodType, U>(
  schema: S,
  formData: FormData,
  user: U,
  fn: (input: z.infer<S>, ctx: Ctx<U>) => Promise<ActionState | void>,
): Promise<ActionState> {
  const raw = formToObject(formData);
  // A field holding text the database cannot store (NUL, broken Unicode) is refused beside that field.
  const bad = findUnstorable(Object.fromEntries(Object.entries(raw).filter(([, v]) => typeof v === "string" || Array.isArray(v))));
  if (bad) return { error: "Please fix the highlighted fields.", code: "bad_request", fieldErrors: { [bad.path || "form"]: `This field ${bad.problem}.` } };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".") || "form"] ??= issue.message;
    return { error: "Please fix the highlighted fields.", code: "bad_request", fieldErrors };
  }
  const ip = clientIpFrom(await headers());
  return (await fn(parsed.data, { user, db: await getDb(), ip })) ?? { success: "Saved." };
}

function handle(e: unknown): ActionState {
  if (e instanceof AppError) {
    const field = typeof e.details?.field === "string" ? e.details.field : undefined;
    // An error naming several fields (`fields`: path → message) marks each beside its own field.
    const fields = e.details?.fields && typeof e.details.fields === "object" ? (e.details.fields as Record<string, string>) : undefined;
    if (fields && Object.keys(fields).length > 0) return { error: "Please fix the highlighted fields.", code: e.code, fieldErrors: { ...fields } };
    return { error: e.message, code: e.code, fieldErrors: field ? { [field]: e.message } : undefined };
  }
  // Let Next's redirect()/notFound() signals through.
  if (e && typeof e === "object" && "digest" in e) throw e;
  console.error("[action] unhandled error", e);
  return { error: "Something went wrong. Nothing was saved." };
}

/**
 * The one wrapper for server actions (used with useActionState): parses FormData with zod, requires a
 * signed-in user, and turns AppError and validation failures into `{ error, fieldErrors }` for the form instead
 * of a crash. Next.js itself refuses server actions whose Origin does not match the host. Permission checks
 * stay inside `fn`, where the campaign is known (loadCampaign / can).
 */
export function action<S extends z.ZodType>(schema: S, fn: (input: z.infer<S>, ctx: Ctx<CurrentUser>) => Promise<ActionState | void>) {
  return async (_prev: ActionState, formData: FormData): Promise<ActionState> => {
    try {
      const user = await getCurrentUser();
      if (!user) return { error: "Sign in to continue.", code: "unauthorized" };
      const result = await run(schema, formData, user, fn);
      return result?.error ? { ...result, values: echo(formData) } : result;
    } catch (e) {
      return { ...handle(e), values: echo(formData) };
    }
  };
}

/** For the few actions anonymous people may call (sign-up); same parsing and error handling. */
export function publicAction<S extends z.ZodType>(schema: S, fn: (input: z.infer<S>, ctx: Ctx<CurrentUser | null>) => Promise<ActionState | void>) {
  return async (_prev: ActionState, formData: FormData): Promise<ActionState> => {
    try {
      const result = await run(schema, formData, await getCurrentUser(), fn);
      return result?.error ? { ...result, values: echo(formData) } : result;
    } catch (e) {
      return { ...handle(e), values: echo(formData) };
    }
  };
}
