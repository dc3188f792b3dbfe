import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseJsonlForTest, type ParsedRecord } from "@/lib/ingest/parse";

async function read(text: string, chunk: number, maxLine = 1_000): Promise<ParsedRecord[]> {
  const bytes = Buffer.from(text);
  const src = (async function* () {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  })();
  const out: ParsedRecord[] = [];
  for await (const r of parseJsonlForTest(src, maxLine)) out.push(r);
  return out;
}

describe("JSONL reader", () => {
  it("reads the same records whatever the chunking, with 1-based line numbers", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ id: fc.string({ maxLength: 20 }), n: fc.integer() }), { maxLength: 30 }), fc.integer({ min: 1, max: 64 }), async (rows, chunk) => {
        const text = rows.map((r) => JSON.stringify(r)).join("\r\n");
        const got = await read(text, chunk);
        expect(got).toEqual(rows.map((r, i) => ({ line: i + 1, record: r })));
      }),
      { numRuns: 200 },
    );
  });
  it("reports a line over the limit and reads on after it, without holding it", async () => {
    const text = [JSON.stringify({ id: "a" }), " ".repeat(5_000) + "x", JSON.stringify({ id: "b" }), ""].join("\n");
    expect(await read(text, 97, 1_000)).toEqual([
      { line: 1, record: { id: "a" } },
      { line: 2, error: "Line longer than 1,000 characters" },
      { line: 3, record: { id: "b" } },
    ]);
    // A long last line without a newline is reported too, and nothing after it is invented.
    expect(await read(`${JSON.stringify({ id: "a" })}\n${"y".repeat(3_000)}`, 50, 1_000)).toEqual([
      { line: 1, record: { id: "a" } },
      { line: 2, error: "Line longer than 1,000 characters" },
    ]);
  });
  it("reads an enormous line in time linear in its length (the partial line is not copied at every chunk)", async () => {
    // 8M characters in 16 KB chunks: ~0.15 s; appending each chunk to one growing string took ~10 s (quadratic),
    // so a 100 MB upload of lines just under MAX_LINE_CHARS kept a request busy for minutes.
    const started = performance.now();
    const got = await read(`${JSON.stringify({ id: "big", output: "x".repeat(8 * 2 ** 20) })}\n${JSON.stringify({ id: "b" })}\n`, 16 * 1024, 16 * 2 ** 20);
    const ms = performance.now() - started;
    expect(got.map((r) => ("record" in r ? r.record.id : r.error))).toEqual(["big", "b"]);
    expect(ms).toBeLessThan(2_000);
  });
});
