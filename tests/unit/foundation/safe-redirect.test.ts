import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { safeRedirectPath, sameOriginPath } from "@/lib/http/safe-redirect";

// Known open-redirect bypasses (OWASP, PortSwigger's URL validation bypass list): none may leave the site.
const BYPASSES = [
  "//evil.example/phish",
  "/\\evil.example/phish",
  "/%5Cevil.example/phish",
  "/%255Cevil.example",
  "%2F%2Fevil.example",
  "/%2F/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "https://evil.example",
  "http:evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "evil.example",
  "/%0d%0aLocation:%20https://evil.example",
  "/\u0000/evil.example",
  "%",
  "",
];

describe("redirect targets after sign-in", () => {
  it("refuses every known bypass", () => {
    for (const b of BYPASSES) expect(sameOriginPath(b), JSON.stringify(b)).toBeNull();
    expect(safeRedirectPath("//evil.example")).toBe("/campaigns");
    expect(safeRedirectPath(undefined)).toBe("/campaigns");
  });
  it("keeps same-origin paths with their query and fragment", () => {
    expect(sameOriginPath("/campaigns/demo/report?ref=group%3Aen#counted")).toBe("/campaigns/demo/report?ref=group%3Aen#counted");
    expect(sameOriginPath("/")).toBe("/");
    expect(sameOriginPath("/campaigns/../admin")).toBe("/admin");
  });
  it("never returns a path a browser would read as another host", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const out = sameOriginPath(s);
        if (out === null) return;
        expect(out.startsWith("/")).toBe(true);
        expect(out.startsWith("//")).toBe(false);
        expect(out.includes("\\")).toBe(false);
        expect(new URL(out, "https://site.example").origin).toBe("https://site.example");
      }),
      { numRuns: 2000 },
    );
  });
});

describe("next-auth's redirect callback", () => {
  it("sends the browser back to this site only", async () => {
    const { authOptions } = await import("@/lib/auth/options");
    const redirect = authOptions.callbacks!.redirect!;
    const baseUrl = "https://margin.example";
    expect(await redirect({ url: "/campaigns/x", baseUrl })).toBe("https://margin.example/campaigns/x");
    expect(await redirect({ url: "https://margin.example/campaigns/x?a=1", baseUrl })).toBe("https://margin.example/campaigns/x?a=1");
    for (const url of ["https://evil.example/", "https://margin.example.evil.example/x", "/\\evil.example/phish", "//evil.example"]) {
      expect(new URL(await redirect({ url, baseUrl })).origin, url).toBe(baseUrl);
    }
  });
});

describe("whether an OAuth provider vouches for an email address", () => {
  it("takes Google's email_verified and GitHub's verified flag on that very address, nothing else", async () => {
    const { providerVerifiedEmail } = await import("@/lib/auth/oauth");
    expect(await providerVerifiedEmail("google", "a@x.org", { email_verified: true }, undefined)).toBe(true);
    expect(await providerVerifiedEmail("google", "a@x.org", { email_verified: false }, undefined)).toBe(false);
    expect(await providerVerifiedEmail("google", "a@x.org", {}, undefined)).toBe(false);
    const github = (list: unknown, ok = true) => (async () => new Response(JSON.stringify(list), { status: ok ? 200 : 401 })) as unknown as typeof fetch;
    expect(await providerVerifiedEmail("github", "A@x.org", {}, "tok", github([{ email: "a@x.org", verified: true }]))).toBe(true);
    expect(await providerVerifiedEmail("github", "a@x.org", {}, "tok", github([{ email: "a@x.org", verified: false }, { email: "b@x.org", verified: true }]))).toBe(false);
    expect(await providerVerifiedEmail("github", "a@x.org", {}, "tok", github([], false))).toBe(false);
    expect(await providerVerifiedEmail("github", "a@x.org", {}, undefined)).toBe(false);
    expect(await providerVerifiedEmail("github", null, {}, "tok")).toBe(false);
  });
});
