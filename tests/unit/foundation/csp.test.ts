import { describe, expect, it } from "vitest";
import type { NextConfig } from "next";
import { API_CSP, foreignActionOrigin, newNonce, pageCsp } from "@/lib/http/csp";
import { campaignSlugOfPath } from "@/lib/campaigns/image-hosts";

// @ts-expect-error next.config.js is plain JavaScript without types
const nextConfig = (await import("@/next.config.js")).default as NextConfig;

const action = (h: Record<string, string>) => new Headers({ "next-action": "abc123", host: "margin.example", ...h });

describe("page CSP", () => {
  it("lets scripts run only with this response's nonce, never inline or eval in production", () => {
    const csp = pageCsp("N0nce==", false);
    const script = csp.split("; ").find((d) => d.startsWith("script-src "))!;
    expect(script).toBe("script-src 'self' 'nonce-N0nce==' 'strict-dynamic'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https?:/);
  });

  it("adds eval and websockets only in development", () => {
    expect(pageCsp("x", true)).toContain("'unsafe-eval'");
    expect(pageCsp("x", true)).toContain("connect-src 'self' ws: wss:");
    expect(pageCsp("x", false)).not.toContain("unsafe-eval");
  });

  it("draws a fresh 128-bit nonce each time", () => {
    const seen = new Set(Array.from({ length: 200 }, newNonce));
    expect(seen.size).toBe(200);
    for (const n of seen) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });

  it("next.config.js sends the same API policy as lib/http/csp.ts on /api", async () => {
    const rules = await nextConfig.headers!();
    const api = rules.find((r) => r.source === "/api/:path*");
    expect(api?.headers.find((h) => h.key === "Content-Security-Policy")?.value).toBe(API_CSP);
    // Pages get theirs from proxy.ts (with a nonce): no static page CSP that would block the nonce'd scripts.
    const all = rules.find((r) => r.source === "/:path*");
    expect(all?.headers.some((h) => h.key === "Content-Security-Policy")).toBe(false);
  });
});

describe("foreign server-action origin", () => {
  it("refuses another origin and the opaque null origin", () => {
    expect(foreignActionOrigin(action({ origin: "https://evil.example" }))).toBe(true);
    expect(foreignActionOrigin(action({ origin: "null" }))).toBe(true);
    expect(foreignActionOrigin(action({ origin: "not a url" }))).toBe(true);
    expect(foreignActionOrigin(action({ origin: "https://margin.example.evil.example" }))).toBe(true);
  });

  it("accepts the same host, and leaves requests without Origin or without an action to Next", () => {
    expect(foreignActionOrigin(action({ origin: "https://margin.example" }))).toBe(false);
    expect(foreignActionOrigin(action({}))).toBe(false);
    expect(foreignActionOrigin(new Headers({ origin: "https://evil.example", host: "margin.example" }))).toBe(false);
  });

  it("compares with the forwarded host behind a proxy", () => {
    expect(foreignActionOrigin(action({ origin: "https://public.example", "x-forwarded-host": "public.example", host: "10.0.0.5:3000" }))).toBe(false);
  });
});

describe("a campaign's image hosts in the page CSP", () => {
  it("adds each listed host to img-src over https, nothing else", () => {
    const csp = pageCsp("n", false, ["images.example.org", "upload.wikimedia.org"]);
    expect(csp).toContain("img-src 'self' data: https://images.example.org https://upload.wikimedia.org;");
    expect(csp).toContain("default-src 'self';");
    expect(csp).toContain("connect-src 'self';");
  });
  it("never lets a stored value break out of the directive", () => {
    expect(pageCsp("n", false, ["a.example; script-src *", "b.example"])).toContain("img-src 'self' data: https://b.example;");
  });
  it("finds the campaign of a page path", () => {
    expect(campaignSlugOfPath("/campaigns/multilingual-helpfulness")).toBe("multilingual-helpfulness");
    expect(campaignSlugOfPath("/campaigns/e2e-open/rate")).toBe("e2e-open");
    for (const p of ["/campaigns", "/campaigns/", "/campaigns/new", "/campaigns/Bad_Slug/rate", "/contribute"]) expect(campaignSlugOfPath(p), p).toBeNull();
  });
});

describe("HSTS", () => {
  it("is sent for an https deployment and not over plain http", async () => {
    const { hstsHeader } = await import("@/lib/http/csp");
    expect(hstsHeader("https://margin.example.org")).toBe("max-age=63072000; includeSubDomains");
    expect(hstsHeader("http://localhost:3000")).toBeNull();
    expect(hstsHeader("")).toBeNull();
  });
  it("reaches pages through the proxy, decided when the request is served", async () => {
    const { proxy } = await import("@/proxy");
    const { NextRequest } = await import("next/server");
    const saved = process.env.NEXTAUTH_URL;
    try {
      process.env.NEXTAUTH_URL = "https://margin.example.org";
      const secure = await proxy(new NextRequest("https://margin.example.org/contribute"));
      expect(secure.headers.get("strict-transport-security")).toMatch(/max-age=63072000/);
      expect(secure.headers.get("content-security-policy")).toMatch(/script-src 'self' 'nonce-/);
      process.env.NEXTAUTH_URL = "http://localhost:3000";
      expect((await proxy(new NextRequest("http://localhost:3000/contribute"))).headers.get("strict-transport-security")).toBeNull();
      const bad = await proxy(new NextRequest("http://localhost:3000/campaigns/%00"));
      expect(bad.status).toBe(400);
    } finally {
      process.env.NEXTAUTH_URL = saved;
    }
  });
});
