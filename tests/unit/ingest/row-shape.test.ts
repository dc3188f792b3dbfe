import { describe, expect, it } from "vitest";
import { MAX_DEPTH, MAX_FIELDS, shapeProblem, validateRow } from "@/lib/ingest/row";

const likert = { type: "likert" as const, min: 1, max: 5 };
const nested = (depth: number) => {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe("row shape limits", () => {
  it("refuses deep nesting as a row error, even at a depth that would overflow a recursive walk", () => {
    expect(shapeProblem({ id: "x", metadata: nested(MAX_DEPTH - 3) })).toBeNull();
    expect(shapeProblem({ id: "x", metadata: nested(MAX_DEPTH + 1) })).toContain("deeper than");
    const r = validateRow({ id: "deep", output: "o", meta: nested(100_000) }, likert, null, false);
    expect(r).toMatchObject({ ok: false, externalId: "deep", reason: expect.stringContaining("deeper than") });
  });
  it("checks the JSON in CSV cells once parsed: a deep metadata, human_ratings or embedding cell is a row error naming the column, never a throw", () => {
    const deepObject = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    const deepList = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
    // Just over the limit (a 40-deep cell was once accepted) and far over it (5,000 deep once overflowed the stack).
    for (const depth of [40, 5000]) {
      let r: ReturnType<typeof validateRow> | undefined;
      expect(() => (r = validateRow({ id: "deep", output: "o", metadata: deepObject(depth) }, likert, null, true))).not.toThrow();
      expect(r).toMatchObject({ ok: false, externalId: "deep", reason: expect.stringMatching(/^metadata .*deeper than 32 levels/) });
    }
    expect(validateRow({ id: "h", output: "o", human_ratings: deepList(5000) }, likert, null, true)).toMatchObject({ ok: false, reason: expect.stringMatching(/^human_ratings .*deeper than/) });
    expect(validateRow({ id: "e", output: "o", embedding: deepList(5000) }, likert, null, true)).toMatchObject({ ok: false, reason: expect.stringMatching(/^embedding .*deeper than/) });
    // The same depth a JSON record may have is accepted in a cell (the cell's value sits one level below the row).
    expect(validateRow({ id: "ok", output: "o", metadata: deepObject(MAX_DEPTH - 2) }, likert, null, true)).toMatchObject({ ok: true });
    expect(shapeProblem({ id: "ok", metadata: JSON.parse(deepObject(MAX_DEPTH - 2)) as unknown })).toBeNull();
    // Fields in cells count towards the row's total.
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: MAX_FIELDS }, (_, i) => [`f${i}`, i])));
    expect(validateRow({ id: "w", output: "o", metadata: wide }, likert, null, true)).toMatchObject({ ok: false, reason: expect.stringMatching(/fields .*metadata cell/) });
  });
  it("never overflows the stack on a hostile id or text nested deep", () => {
    const id = JSON.parse(`{"id":${"[".repeat(200_000)}${"]".repeat(200_000)},"output":"o"}`) as Record<string, unknown>;
    expect(validateRow(id, likert, null, false)).toMatchObject({ ok: false, reason: expect.stringContaining("deeper than") });
  });
  it("refuses rows with too many fields, but not a full-length embedding", () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_FIELDS + 1 }, (_, i) => [`f${i}`, i]));
    expect(validateRow({ id: "wide", output: "o", ...wide }, likert, null, false)).toMatchObject({ ok: false, reason: expect.stringContaining("fields") });
    expect(validateRow({ id: "vec", output: "o", embedding: Array.from({ length: 4096 }, () => 0.5) }, likert, null, false)).toMatchObject({ ok: true });
  });
});
