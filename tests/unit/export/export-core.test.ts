import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { csvCell, neutraliseCell } from "@/lib/export/csv-safe";
import { buildManifest, sha256sums } from "@/lib/export/manifest";
import { annotatorPseudonym, externalPseudonym, pseudonymSecret } from "@/lib/export/pseudonym";
import { parquetSchema } from "@/lib/export/encode";
import { countCsvRecords } from "@/lib/export/copy-csv";
import type { Campaign } from "@/db/schema";

describe("CSV formula neutralisation", () => {
  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://evil\")", "\uff1dSUM(A1)", "\uff0b1", "\uff0d1", "\uff20x"])("prefixes %j with an apostrophe", (v) => {
    expect(neutraliseCell(v)).toBe(`'${v}`);
  });
  it.each(["", "plain", "1", "a=b", " =1", "'already"])("leaves %j alone", (v) => expect(neutraliseCell(v)).toBe(v));
  it("formats non-strings: null empty, dates ISO, objects JSON, numbers as numbers (negative ones too)", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2026-01-02T03:04:05.006Z"))).toBe("2026-01-02T03:04:05.006Z");
    expect(csvCell({ a: 1 })).toBe('{"a":1}');
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(-0.125)).toBe("-0.125");
    // A negative number held as text is still text: neutralised.
    expect(csvCell("-3")).toBe("'-3");
    expect(csvCell(true)).toBe("true");
  });
  it("never lets a cell start a formula once parsed back, for any string", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 5 }), (cells) => {
        const [back] = parse(stringify([cells.map(csvCell)]), { relax_column_count: true }) as string[][];
        for (const c of back!) expect(/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(c)).toBe(false);
        // Exactly one apostrophe is added to dangerous cells; everything else survives unchanged. (Stripping the
        // apostrophe back is ambiguous for text that already began with "'=", so compare forwards.)
        back!.forEach((c, i) => expect(c).toBe(/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(cells[i]!) ? `'${cells[i]}` : cells[i]));
      }),
    );
  });
});

describe("pseudonyms", () => {
  const s = "x".repeat(32);
  it("are stable per campaign and differ across campaigns and secrets", () => {
    const a = annotatorPseudonym(s, "c1", "u1");
    expect(a).toMatch(/^a_[0-9a-f]{16}$/);
    expect(annotatorPseudonym(s, "c1", "u1")).toBe(a);
    expect(annotatorPseudonym(s, "c2", "u1")).not.toBe(a);
    expect(annotatorPseudonym(s, "c1", "u2")).not.toBe(a);
    expect(annotatorPseudonym("y".repeat(32), "c1", "u1")).not.toBe(a);
  });
  it("keep imported rater pseudonyms but hash ones that look like emails", () => {
    expect(externalPseudonym(s, "c1", "r1", "rater-7")).toBe("x_rater-7");
    expect(externalPseudonym(s, "c1", "r1", "me@example.org")).toMatch(/^x_[0-9a-f]{16}$/);
  });
  it("refuse to run in production without a secret", () => {
    expect(() => pseudonymSecret({ NODE_ENV: "production" })).toThrow(/PSEUDONYM_SECRET/);
    expect(pseudonymSecret({ NODE_ENV: "production", AUTH_SECRET: s })).toBe(s);
    expect(pseudonymSecret({ NODE_ENV: "production", AUTH_SECRET: s, PSEUDONYM_SECRET: "p".repeat(32) })).toBe("p".repeat(32));
  });
});

describe("manifest", () => {
  const campaign = { id: "c1", slug: "s", guidelinesVersion: 2, routingPolicyVersion: 3, routingSeed: "seed", rubric: { type: "binary", labels: ["no", "yes"] }, routingPolicy: {} } as unknown as Campaign;
  const files = [
    { name: "s-judgments.csv", kind: "judgments", format: "csv" as const, rows: 2, bytes: 10, sha256: "b".repeat(64), columns: [] },
    { name: "s-items.csv", kind: "items", format: "csv" as const, rows: 1, bytes: 5, sha256: "a".repeat(64), columns: [] },
  ];
  it("lists sha256sums sorted by name in sha256sum -c format", () => {
    expect(sha256sums(files)).toBe(`${"a".repeat(64)}  s-items.csv\n${"b".repeat(64)}  s-judgments.csv\n`);
  });
  it("carries parameters, campaign provenance, software version, requester id and time", () => {
    const m = buildManifest({ exportId: "e1", kind: "bundle", format: "zip", parameters: { format: "csv" }, campaign, requesterId: "u1", files, contentSha256: "c", now: new Date("2026-01-01T00:00:00Z") });
    expect(m).toMatchObject({ manifestVersion: 2, exportId: "e1", requester: { userId: "u1" }, createdAt: "2026-01-01T00:00:00.000Z", campaign: { id: "c1", guidelinesVersion: 2, routingPolicyVersion: 3, routingSeed: "seed" }, software: { name: "margin", version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    expect(JSON.stringify(m)).not.toMatch(/@/);
  });
  it("maps column types to Parquet schema elements", () => {
    const schema = parquetSchema([{ name: "a", type: "string", description: "" }, { name: "t", type: "timestamp", description: "" }, { name: "j", type: "json", description: "" }]);
    expect(schema[0]).toEqual({ name: "root", num_children: 3 });
    expect(schema[1]).toMatchObject({ type: "BYTE_ARRAY", converted_type: "UTF8" });
    expect(schema[2]).toMatchObject({ type: "INT64", converted_type: "TIMESTAMP_MILLIS" });
    expect(schema[3]).toMatchObject({ converted_type: "JSON" });
  });
});

describe("CSV record counting on COPY output", () => {
  it("counts records, not newlines inside quoted cells, however the bytes are split into chunks", () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom('a"b', "x\ny", "\r\n", '""', ",", "\n\n"));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 6 }), (rows, cuts) => {
        const bytes = Buffer.from(rows.length ? stringify(rows, { record_delimiter: "\n", quoted_match: /\r/ }) : "");
        const points = [...new Set(cuts.map((c) => (bytes.length ? c % bytes.length : 0)))].sort((a, b) => a - b);
        const counter = { rows: 0 };
        let inQuote = false;
        let from = 0;
        for (const p of [...points, bytes.length]) {
          inQuote = countCsvRecords(bytes.subarray(from, p), inQuote, counter);
          from = p;
        }
        expect(counter.rows).toBe(rows.length);
        expect(inQuote).toBe(false);
      }),
    );
  });
});
