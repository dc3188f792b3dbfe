import { describe, expect, it } from "vitest";
import { parseCsvForTest, type ParsedRecord } from "@/lib/ingest/parse";

async function read(text: string, maxRecord: number, chunk = 64): Promise<ParsedRecord[]> {
  const bytes = Buffer.from(text);
  const src = (async function* () {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  })();
  const out: ParsedRecord[] = [];
  for await (const r of parseCsvForTest(src, maxRecord)) out.push(r);
  return out;
}

describe("CSV reader", () => {
  it("reads records up to the record size limit", async () => {
    expect(await read(`id,output\na,${"x".repeat(900)}\nb,y\n`, 1_000)).toEqual([
      { line: 2, record: { id: "a", output: "x".repeat(900) } },
      { line: 3, record: { id: "b", output: "y" } },
    ]);
  });
  it("ends with a 413 naming the line, not a 500 or a flood of skipped rows, when a record is over the limit", async () => {
    // One line, and a quoted cell over many lines (the limit is reached on line 203 of the file).
    for (const [text, at] of [[`id,output\na,b\nc,${"x".repeat(5_000)}\nd,e\n`, 3], [`id,output\na,b\nc,"${"line\n".repeat(1_000)}"\nd,e\n`, 203]] as const) {
      await expect(read(text, 1_000)).rejects.toMatchObject({ code: "too_large", message: `A CSV row is longer than 1,000 characters (the limit was reached at line ${at}); nothing was imported.` });
    }
  });
});
