import { type z } from "zod";
import { getDb, type Db } from "@/db";
import { getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";

export type ActionState = { error?: string; fieldErrors?: Record<string, string>; success?: string } | undefined;

/**
 * The one wrapper for server actions (used with useActionState): parses FormData with zod, requires a
 * signed-in user unless told otherwise, and turns AppError and validation failures into `{ error }` for the
 * form instead of a crash. Next.js itself refuses server actions whose Origin does not match the host.
 * Permission checks stay inside `fn`, where the campaign is known.
 */
export function action<S extends z.ZodType>(
  schema: S,
  fn: (input: z.infer<S>, ctx: { user: CurrentUser; db: Db }) => Promise<ActionState | void>,
  opts: { auth?: "required" } = {},
) {
  void opts;
  return async (_prev: ActionState, formData: FormData): Promise<ActionState> => {
    try {
      const user = await getCurrentUser();
      if (!user) return { error: "Sign in to continue." };
      const raw: Record<string, unknown> = {};
      for (const [k, v] of formData.entries()) {
        if (k.startsWith("$ACTION")) continue;
        raw[k] = k in raw ? ([] as unknown[]).concat(raw[k], v) : v;
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const fieldErrors: Record<string, string> = {};
        for (const issue of parsed.error.issues) fieldErrors[issue.path.join(".") || "form"] ??= issue.message;
        return { error: "Please fix the highlighted fields.", fieldErrors };
      }
      return (await fn(parsed.data, { user, db: await getDb() })) ?? { success: "Saved." };
    } catch (e) {
      if (e instanceof AppError) return { error: e.message };
      // Let Next's redirect()/notFound() signals through.
      if (e && typeof e === "object" && "digest" in e) throw e;
      console.error("[action] unhandled error", e);
      return { error: "Something went wrong. Nothing was saved." };
    }
  };
}
