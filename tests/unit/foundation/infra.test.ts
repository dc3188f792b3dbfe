import { describe, expect, it } from "vitest";
import { checkDatabaseUrl, describeDbError, redactUrl } from "@/db/errors";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { isOnScale, rubricSchema, rubricValues, routingPolicySchema } from "@/lib/validation/campaign";
import { readEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

describe("database errors", () => {
  it("turns driver errors into one readable line, unwrapping drizzle's wrapper", () => {
    const wrapped = Object.assign(new Error("Failed query: select 1"), { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) });
    expect(describeDbError(wrapped, "postgres://u:secret@db:5432/x")).toBe(
      "Cannot connect to PostgreSQL at postgres://u:***@db:5432/x: connection refused. Is the server running?",
    );
    expect(describeDbError({ code: "3D000", message: 'database "x" does not exist' }, "postgres://h/x")).toMatch(/does not exist/);
    expect(describeDbError(new Error("boom"))).toBe("Database error at the embedded database: boom");
  });
  it("validates DATABASE_URL before the driver sees it and never prints its password", () => {
    expect(checkDatabaseUrl("mysql://x")).toMatch(/postgres:\/\//);
    expect(checkDatabaseUrl("not a url")).toMatch(/not a valid URL/);
    expect(checkDatabaseUrl("postgres://postgres@127.0.0.1:5432/test")).toBeNull();
    expect(redactUrl("postgres://a:b@h/d")).not.toContain(":b@");
  });
});

describe("passwords", () => {
  it("hashes with scrypt and verifies only the right password", async () => {
    const h = await hashPassword("correct horse battery staple");
    expect(h).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery staple", h)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", h)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });
});

describe("rubrics and routing policy", () => {
  it("accepts the four rubric kinds and rejects malformed ones", () => {
    expect(rubricSchema.safeParse({ type: "likert", min: 1, max: 5 }).success).toBe(true);
    expect(rubricSchema.safeParse({ type: "likert", min: 5, max: 1 }).success).toBe(false);
    expect(rubricSchema.safeParse({ type: "categorical", options: ["a"] }).success).toBe(false);
    expect(rubricSchema.safeParse({ type: "pairwise", allowTie: true }).success).toBe(true);
    expect(rubricSchema.safeParse({ type: "stars" }).success).toBe(false);
    expect(routingPolicySchema.safeParse({ confidenceThreshold: 0.5, tailThreshold: 0.8, controlRate: 0 }).success).toBe(false);
  });
  it("knows which values are on a rubric's scale", () => {
    expect(rubricValues({ type: "likert", min: 1, max: 5 })).toEqual([1, 2, 3, 4, 5]);
    expect(isOnScale({ type: "likert", min: 1, max: 5 }, 6)).toBe(false);
    expect(isOnScale({ type: "likert", min: 1, max: 5 }, "3")).toBe(false);
    expect(isOnScale({ type: "pairwise", allowTie: false }, "tie")).toBe(false);
    expect(isOnScale({ type: "categorical", options: ["x", "y"] }, "y")).toBe(true);
  });
});

describe("env and errors", () => {
  it("rejects a short AUTH_SECRET by name", () => {
    expect(() => readEnv({ AUTH_SECRET: "short" } as NodeJS.ProcessEnv)).toThrow(/AUTH_SECRET/);
    expect(readEnv({} as NodeJS.ProcessEnv).MAX_UPLOAD_MB).toBe(50);
  });
  it("maps error codes to HTTP statuses", () => {
    expect(new AppError("not_found", "x").status).toBe(404);
    expect(new AppError("too_large", "x").status).toBe(413);
    expect(new AppError("unauthorized", "x").status).toBe(401);
  });
});
