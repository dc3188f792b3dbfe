import { describe, expect, it } from "vitest";
import { MAX_DEPTH, MAX_FIELDS, TEXT_LIMITS, shapeProblem, validateRow } from "@/lib/ingest/row";

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

describe("text limits", () => {
  const pairwise = { type: "pairwise" as const, allowTie: true };
  const x = (n: number) => "x".repeat(n);
  const refused = (raw: Record<string, unknown>, reason: string, fromCsv = false, rubric: Parameters<typeof validateRow>[1] = likert) =>
    expect(validateRow({ id: "t", output: "o", ...raw }, rubric, null, fromCsv)).toMatchObject({ ok: false, externalId: "t", reason });
  const accepted = (raw: Record<string, unknown>, fromCsv = false, rubric: Parameters<typeof validateRow>[1] = likert) =>
    expect(validateRow({ id: "t", output: "o", ...raw }, rubric, null, fromCsv)).toMatchObject({ ok: true });

  it("caps every text field, each over-limit value a row error naming the field and the limit", () => {
    expect(TEXT_LIMITS).toMatchObject({ text: 200_000, external_id: 500, model: 200, judge_rationale: 20_000, metadata: 10_000, rater: 100, rating_rationale: 5_000 });
    accepted({ output: "a", output_b: x(200_000) }, false, pairwise);
    refused({ output: "a", output_b: x(200_001) }, "output_b is longer than 200,000 characters", false, pairwise);
    refused({ input: x(200_001) }, "input is longer than 200,000 characters");
    refused({ output: x(200_001) }, "output is longer than 200,000 characters");
    accepted({ id: x(500) });
    expect(validateRow({ id: x(501), output: "o" }, likert, null, false)).toMatchObject({ ok: false, reason: "external_id is longer than 500 characters" });
    accepted({ model: x(200) });
    refused({ model: x(201) }, "model is longer than 200 characters");
    accepted({ judge_rationale: x(20_000) });
    refused({ judgeRationale: x(20_001) }, "judge_rationale is longer than 20,000 characters");
  });

  it("caps each string in metadata (given as metadata or as extra fields, at any depth, keys too), in JSON and in CSV cells", () => {
    accepted({ note: x(10_000), metadata: { a: [x(10_000)] } });
    refused({ note: x(10_001) }, "metadata.note is longer than 10,000 characters");
    refused({ metadata: { a: { b: [1, x(10_001)] } } }, "metadata.a.b[1] is longer than 10,000 characters");
    refused({ metadata: { [x(10_001)]: 1 } }, `A key in metadata (“${x(40)}…”) is longer than 10,000 characters`);
    refused({ metadata: JSON.stringify({ k: x(10_001) }) }, "metadata.k is longer than 10,000 characters", true);
    refused({ language: x(10_001) }, "metadata.language is longer than 10,000 characters", true);
  });

  it("caps rater pseudonyms and rating rationales", () => {
    const rating = (o: Record<string, unknown>) => ({ human_ratings: [{ rater: "r", value: 3 }, { value: 4, ...o }] });
    accepted(rating({ rater: x(100), rationale: x(5_000) }));
    refused(rating({ rater: x(101) }), "human_ratings[1] needs a rater pseudonym (1–100 characters)");
    refused(rating({ rater: "s", rationale: x(5_001) }), "human_ratings[1].rationale is longer than 5,000 characters");
    refused({ human_ratings: JSON.stringify([{ rater: "s", value: 1, rationale: x(5_001) }]) }, "human_ratings[0].rationale is longer than 5,000 characters", true);
  });
});
