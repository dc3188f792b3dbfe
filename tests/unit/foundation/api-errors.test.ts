import { describe, expect, it, vi } from "vitest";
import { errorResponse, isDatabaseUnavailable } from "@/lib/api/route";
import { AppError, isDatabaseTimeout } from "@/lib/errors";

describe("API error responses", () => {
  it("answers a database outage with a retryable 503, never a 500", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const e of [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }),
      new Error("query failed", { cause: Object.assign(new Error("the database system is starting up"), { code: "57P03" }) }),
      Object.assign(new Error("connection failure"), { code: "08006" }),
    ]) {
      expect(isDatabaseUnavailable(e), e.message).toBe(true);
      const res = errorResponse(e);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("2");
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    }
  });
  it("answers a statement or lock timeout with a retryable 503, never a 500", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const e of [
      Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }),
      Object.assign(new Error("canceling statement due to lock timeout"), { code: "55P03" }),
      Object.assign(new Error("terminating connection due to idle-in-transaction timeout"), { code: "25P03" }),
      new Error("Failed query", { cause: Object.assign(new Error("deadlock detected"), { code: "40P01" }) }),
    ]) {
      expect(isDatabaseTimeout(e), e.message).toBe(true);
      const res = errorResponse(e);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBeTruthy();
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "busy", message: expect.stringContaining("try again") });
    }
    expect(isDatabaseTimeout(Object.assign(new Error("unique violation"), { code: "23505" }))).toBe(false);
  });
  it("keeps a wrong query a 500 and typed errors their status", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(errorResponse(Object.assign(new Error("syntax error"), { code: "42601" })).status).toBe(500);
    expect(errorResponse(new Error("boom")).status).toBe(500);
    expect(errorResponse(new AppError("conflict", "busy")).status).toBe(409);
  });
});

describe("text the database cannot store", () => {
  it("finds a NUL or a lone surrogate anywhere in a value, keys included, at any depth", async () => {
    const { findUnstorable } = await import("@/lib/validation/storable");
    expect(findUnstorable({ a: ["ok", { b: "x\u0000" }] })).toMatchObject({ path: "a.1.b", problem: expect.stringMatching(/NUL/) });
    expect(findUnstorable({ ["k\ud800"]: 1 })?.problem).toMatch(/key that contains an unpaired/);
    expect(findUnstorable(["\udc00"])?.path).toBe("0");
    expect(findUnstorable({ fine: ["😀", "é", 1, null, true] })).toBeNull();
    let deep: unknown = "bad\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorable(deep)?.problem).toMatch(/NUL/);
  });
  it("refuses such an address with a 400, and undecodable percent-encodings too", async () => {
    const { assertStorableUrl } = await import("@/lib/validation/storable");
    for (const url of ["http://h/campaigns/%00", "http://h/x?q=a%00", "http://h/x?%00=1", "http://h/%ED%A0%80", "http://h/%E0%A4%A"]) expect(() => assertStorableUrl(url), url).toThrow(/address|query/);
    expect(() => assertStorableUrl("http://h/campaigns/%C3%A9t%C3%A9?q=%F0%9F%98%80")).not.toThrow();
  });
  it("maps SQLSTATE 22021 / 22P05 to 400 as a backstop", async () => {
    const { errorResponse } = await import("@/lib/api/route");
    expect(errorResponse(Object.assign(new Error("invalid byte sequence"), { code: "22021" })).status).toBe(400);
    expect(errorResponse({ message: "x", cause: { code: "22P05" } }).status).toBe(400);
  });
});
