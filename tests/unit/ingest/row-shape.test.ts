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
  it("refuses rows with too many fields, but not a full-length embedding", () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_FIELDS + 1 }, (_, i) => [`f${i}`, i]));
    expect(validateRow({ id: "wide", output: "o", ...wide }, likert, null, false)).toMatchObject({ ok: false, reason: expect.stringContaining("fields") });
    expect(validateRow({ id: "vec", output: "o", embedding: Array.from({ length: 4096 }, () => 0.5) }, likert, null, false)).toMatchObject({ ok: true });
  });
});
