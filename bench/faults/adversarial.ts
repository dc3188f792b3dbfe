// Adversarial import files, generated from a seed: what a careless client or an attacker might upload to
// POST /api/v1/campaigns/{id}/items. Shared by `npm run bench -- faults` (1,000 files) and
// tests/integration/faults.test.ts (a smaller set). Every file is made on demand (some are tens of megabytes).
import { mulberry32 } from "@/lib/random";

export type AdversarialFile = { index: number; kind: string; contentType: string; body: Buffer };

const JSONL = "application/x-ndjson";
const CSV = "text/csv";
const JSON_ARRAY = "application/json";

const row = (i: number, extra: Record<string, unknown> = {}) => ({ id: `r-${i}`, input: `question ${i}`, output: `answer ${i}`, judge_score: 1 + (i % 5), judge_confidence: 0.5, ...extra });
const jsonl = (rows: unknown[], eol = "\n") => rows.map((r) => JSON.stringify(r)).join(eol) + eol;
const good = (n: number, from = 0) => Array.from({ length: n }, (_, i) => row(from + i));

type Gen = (rand: () => number, opts: { maxBytes: number; bigBytes: number }) => { contentType: string; body: Buffer | string };

/** The kinds, each with a weight (large files are rare, so a run of 1,000 stays a few minutes long). */
const KINDS: [string, number, Gen][] = [
  ["truncated_utf8", 8, () => {
    const b = Buffer.from(jsonl([...good(3), row(3, { output: "ça déraille — 東京" })]).trimEnd());
    return { contentType: JSONL, body: b.subarray(0, b.length - 3) }; // cut inside a multi-byte character
  }],
  ["invalid_utf8_bytes", 5, () => ({ contentType: JSONL, body: Buffer.concat([Buffer.from(jsonl(good(2))), Buffer.from('{"id":"bad","output":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}\n')]) })],
  ["bom_jsonl", 5, () => ({ contentType: JSONL, body: "\uFEFF" + jsonl(good(3)) })],
  ["bom_csv", 5, () => ({ contentType: CSV, body: "\uFEFFid,output,judge_score\r\na,x,3\r\nb,y,4\r\n" })],
  ["crlf", 6, () => ({ contentType: JSONL, body: jsonl(good(4), "\r\n") })],
  ["crlf_csv_quoted_newlines", 4, () => ({ contentType: CSV, body: 'id,output\r\n"a","line one\r\nline two"\r\n"b","x"\r\n' })],
  ["nul_escaped", 6, (r) => ({ contentType: JSONL, body: jsonl([row(0), row(1, r() < 0.5 ? { output: "a\u0000b" } : { id: "n\u0000ul" }), row(2, { metadata: { k: "v\u0000" } })]) })],
  ["nul_raw_later", 4, () => ({ contentType: JSONL, body: Buffer.concat([Buffer.from(jsonl(good(2000))), Buffer.from('{"id":"x","output":"a'), Buffer.from([0]), Buffer.from('b"}\n')]) })],
  ["nul_raw_first", 3, () => ({ contentType: JSONL, body: Buffer.from([0x7b, 0, 0x7d, 0x0a]) })],
  ["lone_surrogate", 8, (r) => {
    const at = Math.floor(r() * 4);
    const field = ["id", "output", "input", "judge_rationale"][at]!;
    return { contentType: JSONL, body: jsonl([row(0), row(1, { [field]: "x\ud800y" }), { id: "s", output: "\udfff" }]) };
  }],
  ["lone_surrogate_csv", 3, () => ({ contentType: CSV, body: "id,output,metadata\na,\"\ud800\",\"{\"\"k\"\":\"\"\udc00\"\"}\"\n" })],
  ["single_line_10mb", 1, (_, o) => ({ contentType: JSONL, body: JSON.stringify(row(0, { output: "x".repeat(o.bigBytes) })) })],
  ["single_line_10mb_spaces", 1, (_, o) => ({ contentType: JSONL, body: " ".repeat(o.bigBytes) })],
  ["columns_10k_csv", 3, () => {
    const cols = Array.from({ length: 10_000 }, (_, i) => `c${i}`);
    return { contentType: CSV, body: `id,output,${cols.join(",")}\na,x,${cols.map(() => "1").join(",")}\n` };
  }],
  ["fields_10k_json", 3, () => ({ contentType: JSONL, body: JSON.stringify({ id: "a", output: "x", ...Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i])) }) + "\n" })],
  ["depth_5000_json", 6, (r) => {
    const depth = 5000;
    const nested = "[".repeat(depth) + "]".repeat(depth);
    const obj = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    const where = Math.floor(r() * 3);
    const line = where === 0 ? `{"id":"d","output":"x","metadata":${obj}}` : where === 1 ? `{"id":"d","output":"x","embedding":${nested}}` : `{"id":"d","output":"x","human_ratings":${nested}}`;
    return { contentType: JSONL, body: `${JSON.stringify(row(0))}\n${line}\n` };
  }],
  ["csv_deep_metadata", 4, (r) => {
    // JSON in a CSV cell is parsed after the row's shape check: a deep cell once got through it (and overflowed the stack).
    const depth = r() < 0.5 ? 40 : 5000;
    const cell = r() < 0.6 ? '{"a":'.repeat(depth) + "1" + "}".repeat(depth) : "[".repeat(depth) + "]".repeat(depth);
    const column = cell.startsWith("{") ? "metadata" : r() < 0.5 ? "human_ratings" : "embedding";
    return { contentType: CSV, body: `id,output,${column}\na,x,\nd,x,"${cell.replace(/"/g, '""')}"\n` };
  }],
  ["depth_5000_array_file", 2, () => ({ contentType: JSON_ARRAY, body: "[".repeat(5000) + "]".repeat(5000) })],
  ["wrong_types", 10, (r) => {
    const bad = [
      { id: 5, output: "x" }, { id: { a: 1 }, output: "x" }, { id: "a", output: 7 }, { id: "b", output: ["x"] },
      { id: "c", output: "x", judge_score: "five" }, { id: "d", output: "x", judge_confidence: "high" }, { id: "e", output: "x", embedding: "1,2" },
      { id: "f", output: "x", human_ratings: { rater: "r", value: 3 } }, { id: "g", output: "x", gold: "yes" }, { id: "h", output: "x", label_pi: [1] },
      { id: "i", output: "x", metadata: "str" }, { id: "j", output: null }, [1, 2, 3], "just a string", 42, null, true,
    ];
    return { contentType: JSONL, body: jsonl([row(0), ...bad.filter(() => r() < 0.6)]) };
  }],
  ["nan_infinity", 8, (r) => ({
    contentType: r() < 0.5 ? JSONL : CSV,
    body: r() < 0.5
      ? `${JSON.stringify(row(0))}\n{"id":"n","output":"x","judge_score":NaN}\n{"id":"i","output":"x","judge_confidence":Infinity}\n{"id":"e","output":"x","judge_score":1e999,"tail_score":-1e999,"embedding":[1e39,-1e39]}\n`
      : "id,output,judge_score,judge_confidence,tail_score\na,x,NaN,0.5,\nb,x,3,Infinity,\nc,x,-Infinity,1e999,NaN\nd,x,3,0.5,0.5\n",
  })],
  ["formula_html", 10, (r) => {
    const payloads = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "![p](https://evil.example/p.png)", "[x](javascript:alert(1))", "//evil.example/phish"];
    const p = () => payloads[Math.floor(r() * payloads.length)]!;
    return r() < 0.5
      ? { contentType: JSONL, body: jsonl(Array.from({ length: 5 }, (_, i) => row(i, { id: `${p()}-${i}`, input: p(), output: p(), judge_rationale: p(), language: p() }))) }
      : { contentType: CSV, body: `id,output,input\n${Array.from({ length: 5 }, (_, i) => `"${`${p()}-${i}`.replace(/"/g, '""')}","${p().replace(/"/g, '""')}","${p().replace(/"/g, '""')}"`).join("\n")}\n` };
  }],
  ["over_limit", 1, (_, o) => ({ contentType: JSONL, body: jsonl(good(Math.ceil((o.maxBytes * 1.05) / 90))) })],
  ["empty", 4, (r) => ({ contentType: [JSONL, CSV, JSON_ARRAY][Math.floor(r() * 3)]!, body: "" })],
  ["whitespace_only", 3, () => ({ contentType: JSONL, body: "\n\n   \r\n\t\n" })],
  ["csv_header_only", 2, () => ({ contentType: CSV, body: "id,output\n" })],
  ["csv_unbalanced_quotes", 4, () => ({ contentType: CSV, body: 'id,output\na,"unterminated\nb,x\nc,"y""z"\n' })],
  ["csv_ragged", 3, () => ({ contentType: CSV, body: "id,output,judge_score\na,x\nb,y,3,extra,more\nc,z,4\n" })],
  ["json_array_mixed", 5, () => ({ contentType: JSON_ARRAY, body: JSON.stringify([row(0), 1, "s", null, [row(1)], row(2, { output: "\ud800" })]) })],
  ["json_not_array", 3, () => ({ contentType: JSON_ARRAY, body: '{"id":"a","output":"x"}' })],
  ["json_malformed", 4, (r) => ({ contentType: r() < 0.5 ? JSON_ARRAY : JSONL, body: '[{"id":"a","output":"x"},' })],
  ["garbage_bytes", 4, (r) => ({ contentType: JSONL, body: Buffer.from(Array.from({ length: 2048 }, () => 1 + Math.floor(r() * 255))) })],
  ["repeated_ids", 4, () => ({ contentType: JSONL, body: jsonl(Array.from({ length: 3000 }, (_, i) => row(i % 3, { output: `v${i}` }))) })],
  ["long_external_id", 3, () => ({ contentType: JSONL, body: jsonl([row(0), { id: "i".repeat(1_000_000), output: "x" }]) })],
  ["long_strings", 3, () => ({ contentType: JSONL, body: jsonl([row(0, { output: "o".repeat(2_000_000), input: "i".repeat(1_000_000) })]) })],
  ["good_mixed_bad", 10, (r) => ({ contentType: JSONL, body: jsonl([...good(20), { id: "bad" }, row(30, { judge_score: 99 }), row(31, { judge_confidence: 2 }), ...good(5, 40).filter(() => r() < 0.8)]) })],
  ["all_good", 10, (r) => ({ contentType: r() < 0.5 ? JSONL : JSON_ARRAY, body: r() < 0.5 ? jsonl(good(10)) : JSON.stringify(good(10)) })],
];

const TOTAL = KINDS.reduce((s, k) => s + k[1], 0);

/** The i-th adversarial file of a run seeded with `seed`. bigBytes: the size of the "10 MB" single lines. */
export function adversarialFile(seed: number, index: number, opts: { maxBytes: number; bigBytes?: number }): AdversarialFile {
  const rand = mulberry32(seed * 100_003 + index);
  // Cycle through every kind first, then draw by weight: a short run still covers each kind once.
  let kind: (typeof KINDS)[number];
  if (index < KINDS.length) kind = KINDS[index]!;
  else {
    let x = rand() * TOTAL;
    kind = KINDS.find((k) => (x -= k[1]) < 0) ?? KINDS[0]!;
  }
  const made = kind[2](rand, { maxBytes: opts.maxBytes, bigBytes: opts.bigBytes ?? 10 * 2 ** 20 });
  return { index, kind: kind[0], contentType: made.contentType, body: typeof made.body === "string" ? Buffer.from(made.body, "utf-8") : made.body };
}

export const adversarialKinds = () => KINDS.map((k) => k[0]);
