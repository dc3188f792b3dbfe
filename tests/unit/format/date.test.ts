import { describe, expect, it } from "vitest";
import { formatDate, pickLocale } from "@/lib/format/date";
import { bundleManifest, buildManifest } from "@/lib/export/manifest";
import { importOutcome } from "@/lib/ingest/status";
import type { Campaign } from "@/db/schema";

describe("one date formatter", () => {
  it("takes the reader's first usable language from Accept-Language, by quality", () => {
    expect(pickLocale("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(pickLocale("en;q=0.5, fr-CA;q=0.9")).toBe("fr-CA");
    expect(pickLocale("*")).toBe("en");
    expect(pickLocale("not a tag!!, es")).toBe("es");
    expect(pickLocale(null)).toBe("en");
  });

  it("formats in the locale, and names the zone when it is given (the server's UTC)", () => {
    const d = new Date("2026-12-03T14:05:00Z");
    expect(formatDate(d, { locale: "en-GB", timeZone: "UTC" })).toBe("3 Dec 2026, 14:05 UTC");
    expect(formatDate(d, { locale: "en-US", timeZone: "UTC" })).toMatch(/^Dec 3, 2026, 2:05\sPM UTC$/);
    expect(formatDate(d, { locale: "de-DE", timeZone: "UTC", style: "date" })).toBe("03.12.2026");
    expect(formatDate("not a date")).toBe("—");
  });
});

describe("import outcomes", () => {
  it("names partial, empty and failed imports, old 'succeeded' rows included", () => {
    expect(importOutcome({ status: "succeeded", rowsTotal: 6, rowsRejected: 5 })).toBe("partial");
    expect(importOutcome({ status: "succeeded", rowsTotal: 0, rowsRejected: 0 })).toBe("empty");
    expect(importOutcome({ status: "succeeded", rowsTotal: 3, rowsRejected: 3 })).toBe("failed");
    expect(importOutcome({ status: "failed", rowsTotal: 3, rowsRejected: 1 })).toBe("failed");
    expect(importOutcome({ status: "succeeded", rowsTotal: 3, rowsRejected: 0 })).toBe("succeeded");
  });
});

describe("a bundle's own manifest", () => {
  it("leaves out what differs per download and carries the data's time", () => {
    const campaign = { id: "c1", slug: "s", guidelinesVersion: 1, routingPolicyVersion: 1, routingSeed: "x", rubric: {}, routingPolicy: {} } as unknown as Campaign;
    const m = buildManifest({ exportId: "e1", kind: "bundle", format: "zip", parameters: {}, campaign, requesterId: "u1", files: [], contentSha256: "c" });
    const inZip = bundleManifest(m, new Date("2026-01-02T03:04:05Z"));
    expect(inZip).not.toHaveProperty("exportId");
    expect(inZip).not.toHaveProperty("requester");
    expect(inZip).not.toHaveProperty("createdAt");
    expect(inZip).toMatchObject({ kind: "bundle", contentSha256: "c", dataAsOf: "2026-01-02T03:04:05.000Z" });
  });
});
