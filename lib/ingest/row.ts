import { findUnstorable, isWellFormed } from "@/lib/validation/storable";
import { isOnScale, type Rubric } from "@/lib/validation/campaign";

// One imported row → the item columns and its prior human ratings, or the reason it is rejected.
// Keys may be snake_case or camelCase; every key that is not a known field goes into metadata.

export type ItemRow = {
  external_id: string;
  input: string;
  output: string;
  output_b?: string;
  model?: string;
  metadata: Record<string, unknown>;
  group?: string;
  judge_score?: number | string;
  judge_confidence?: number;
  judge_rationale?: string;
  embedding?: number[];
  /** A provided tail score (stored apart from the computed one, which routing writes). */
  tail_score?: number;
  gold_answer?: number | string;
  /**
   * The prior study's inclusion probability for this item when its labels came from a probability sample: given on
   * every row of that study's frame, with human_ratings where it drew the item and without where it did not.
   */
  label_pi?: number;
};
export type RatingRow = { external_id: string; rater: string; value: number | string; rationale?: string };
export type RowResult = { ok: true; item: ItemRow; ratings: RatingRow[] } | { ok: false; reason: string; externalId?: string };

const ALIASES: Record<string, string> = {
  id: "external_id", externalId: "external_id", external_id: "external_id",
  input: "input", prompt: "input",
  output: "output", response: "output",
  output_b: "output_b", outputB: "output_b",
  model: "model",
  judge_score: "judge_score", judgeScore: "judge_score",
  judge_confidence: "judge_confidence", judgeConfidence: "judge_confidence",
  judge_rationale: "judge_rationale", judgeRationale: "judge_rationale",
  embedding: "embedding",
  tail_score: "tail_score", tailScore: "tail_score",
  gold_answer: "gold_answer", goldAnswer: "gold_answer",
  gold: "gold", is_gold: "gold", isGold: "gold",
  label_pi: "label_pi", labelPi: "label_pi",
  human_ratings: "human_ratings", humanRatings: "human_ratings",
  metadata: "metadata",
};
/**
 * Text limits, in characters (UTF-16 code units), each over-limit value a row error naming the field and the limit.
 * Documented in docs/api.md (Limits).
 */
export const TEXT_LIMITS = {
  /** input, output, output_b: what raters read. */
  text: 200_000,
  external_id: 500,
  model: 200,
  judge_rationale: 20_000,
  /** Each string in metadata (keys too, at any depth), unknown columns included. */
  metadata: 10_000,
  rater: 100,
  /** Each human_ratings[i].rationale. */
  rating_rationale: 5_000,
} as const;
const MAX_TEXT = TEXT_LIMITS.text;
const tooLong = (field: string, max: number) => reject(`${field} is longer than ${max.toLocaleString("en")} characters`);

class Reject extends Error {}
const reject = (reason: string): never => {
  throw new Reject(reason);
};

export function validateRow(raw: Record<string, unknown>, rubric: Rubric, stratificationKey: string | null, fromCsv: boolean): RowResult {
  const known: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = ALIASES[k];
    // CSV has no null: an empty cell means "not given".
    const value = fromCsv && v === "" ? undefined : v;
    if (name) known[name] = value;
    else if (value !== undefined) metadata[k] = value;
  }
  // The shape first: a hostile id (a list nested 100,000 deep) must not reach JSON.stringify (textOf), which recurses.
  const shape = walkShape(raw, 0, MAX_FIELDS);
  const externalId = (shape.problem && typeof known.external_id === "object" ? undefined : textOf(known.external_id))?.trim();
  // Fields left for the JSON held in CSV cells (metadata, human_ratings, embedding), checked once parsed.
  let fieldsLeft = MAX_FIELDS - shape.fields;
  const cell = (v: unknown, field: string): unknown => {
    const parsed = jsonish(v, fromCsv, field);
    if (!fromCsv || typeof v !== "string" || typeof parsed !== "object" || parsed === null) return parsed;
    // The cell's value sits one level below the row, as it would in a JSON record.
    const s = walkShape(parsed, 1, fieldsLeft);
    if (s.problem === "depth") reject(`${field} (a JSON cell) nests objects or lists deeper than ${MAX_DEPTH} levels`);
    if (s.problem === "fields") reject(`The row has more than ${MAX_FIELDS.toLocaleString("en")} fields and list entries (counting the JSON in its ${field} cell)`);
    fieldsLeft -= s.fields;
    return parsed;
  };
  try {
    if (shape.problem) reject(shapeMessage(shape.problem));
    if (!externalId) reject("Missing external id (external_id or id)");
    if (externalId!.length > TEXT_LIMITS.external_id) tooLong("external_id", TEXT_LIMITS.external_id);
    const output = textOf(known.output);
    if (output === undefined || output.trim() === "") reject("Missing output");
    if (rubric.type === "pairwise" && !textOf(known.output_b)) reject("Missing output_b (the rubric is pairwise)");
    const extra = cell(known.metadata, "metadata");
    if (extra !== undefined) {
      if (typeof extra !== "object" || extra === null || Array.isArray(extra)) reject("metadata must be a JSON object");
      Object.assign(metadata, extra as Record<string, unknown>);
    }
    const item: ItemRow = { external_id: externalId!, input: textOf(known.input) ?? "", output: output!, metadata };
    if (textOf(known.output_b) !== undefined) item.output_b = textOf(known.output_b);
    if (textOf(known.model) !== undefined) item.model = textOf(known.model);
    if (textOf(known.judge_rationale) !== undefined) item.judge_rationale = textOf(known.judge_rationale);
    for (const [k, v, max] of [
      ["input", item.input, MAX_TEXT],
      ["output", item.output, MAX_TEXT],
      ["output_b", item.output_b, MAX_TEXT],
      ["model", item.model, TEXT_LIMITS.model],
      ["judge_rationale", item.judge_rationale, TEXT_LIMITS.judge_rationale],
    ] as const) {
      if (v !== undefined && v.length > max) tooLong(k, max);
    }
    const longMeta = longString(metadata, "metadata", TEXT_LIMITS.metadata);
    if (longMeta) tooLong(longMeta, TEXT_LIMITS.metadata);
    // A judge run several times and averaged gives a fractional score: accepted on interval (likert) scales.
    if (known.judge_score !== undefined && known.judge_score !== null) item.judge_score = onScale(rubric, known.judge_score, "judge_score", true);
    if (known.judge_confidence !== undefined && known.judge_confidence !== null) item.judge_confidence = unit(known.judge_confidence, "judge_confidence");
    if (known.tail_score !== undefined && known.tail_score !== null) item.tail_score = unit(known.tail_score, "tail_score");
    if (known.gold_answer !== undefined && known.gold_answer !== null) item.gold_answer = onScale(rubric, known.gold_answer, "gold_answer");
    const gold = known.gold === undefined || known.gold === null ? undefined : flag(known.gold, "gold");
    if (gold === true && item.gold_answer === undefined) reject("A gold item (gold: true) needs a gold_answer");
    if (gold === false && item.gold_answer !== undefined) reject("gold is false but the row has a gold_answer (a gold_answer makes the item a gold item)");
    const labelPi = known.label_pi === undefined || known.label_pi === null ? undefined : probability(known.label_pi, "label_pi");
    const emb = cell(known.embedding, "embedding");
    if (emb !== undefined && emb !== null) {
      if (!Array.isArray(emb) || emb.length === 0 || emb.length > 4096 || !emb.every((x) => typeof x === "number" && Number.isFinite(x))) {
        reject("embedding must be an array of 1–4096 numbers");
      }
      // Stored as real[]: PostgreSQL refuses what a 32-bit float cannot hold (overflow, and underflow to zero).
      if (!(emb as number[]).every((x) => Number.isFinite(Math.fround(x)) && (x === 0 || Math.fround(x) !== 0))) {
        reject("embedding values must fit a 32-bit float (magnitude between about 1.4e-45 and 3.4e38, or 0)");
      }
      item.embedding = emb as number[];
    }
    if (stratificationKey && metadata[stratificationKey] !== undefined && metadata[stratificationKey] !== null) item.group = String(metadata[stratificationKey]);
    const ratings = humanRatings(cell(known.human_ratings, "human_ratings"), rubric, externalId!);
    // The prior study's inclusion probability for this item, whether it drew it (the row has human_ratings) or not
    // (it could have): routed items it could have drawn need it for their own π (lib/routing sampleDesign).
    if (labelPi !== undefined) item.label_pi = labelPi;
    // Refuse here, as a row error, what PostgreSQL would refuse at write time and fail the whole import with:
    // checked on what will be stored, so JSON held in CSV cells (metadata, human_ratings) is covered too.
    const bad = findUnstorable(item) ?? findUnstorable({ human_ratings: ratings });
    if (bad) reject(`Text${bad.path ? ` in ${bad.path}` : ""} ${bad.problem}; it cannot be stored`);
    return { ok: true, item, ratings };
  } catch (e) {
    // The id is echoed in the import's error report (jsonb): what PostgreSQL cannot store is shown escaped.
    if (e instanceof Reject) return { ok: false, reason: e.message, externalId: externalId === undefined ? undefined : printable(externalId) };
    throw e;
  }
}

/**
 * The path of the first string (key or value) in `root` longer than `max`, as metadata.key[2].other, or null.
 * Iterative; called after the shape check, so the paths stay short.
 */
function longString(root: unknown, name: string, max: number): string | null {
  const stack: [unknown, string][] = [[root, name]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === "string") {
      if (v.length > max) return at;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}[${i}]`]);
    } else if (typeof v === "object" && v !== null) {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i]!;
        // Shown in the import report (jsonb): cut short, and what PostgreSQL cannot store escaped.
        const label = printable(k.length > 40 ? `${k.slice(0, 40)}…` : k);
        if (k.length > max) return `A key in ${at} (“${label}”)`;
        stack.push([x, `${at}.${label}`]);
      }
    }
  }
  return null;
}

export const MAX_DEPTH = 32;
// Fields and list entries in all, an embedding's numbers included (up to 4,096 of them).
export const MAX_FIELDS = 10_000;

/**
 * Why a row's shape is refused, or null: nesting deeper than MAX_DEPTH (PostgreSQL's jsonb parser recurses and
 * refuses very deep values mid-COPY) or more than MAX_FIELDS fields and list entries in all. Iterative, so a
 * hostile depth cannot exhaust the stack here either. validateRow also checks the JSON held in CSV cells once parsed.
 */
export function shapeProblem(raw: unknown): string | null {
  const { problem } = walkShape(raw, 0, MAX_FIELDS);
  return problem && shapeMessage(problem);
}

const shapeMessage = (problem: "depth" | "fields") =>
  problem === "depth" ? `The row nests objects or lists deeper than ${MAX_DEPTH} levels` : `The row has more than ${MAX_FIELDS.toLocaleString("en")} fields and list entries`;

/** Walk a value from nesting level `depth`: what it breaks first (with `budget` fields allowed), and its field count. */
function walkShape(root: unknown, depth: number, budget: number): { problem: "depth" | "fields" | null; fields: number } {
  const stack: [unknown, number][] = [[root, depth]];
  let fields = 0;
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d >= MAX_DEPTH) return { problem: "depth", fields };
    const children = Array.isArray(v) ? v : Object.values(v);
    fields += children.length;
    if (fields > budget) return { problem: "fields", fields };
    for (const c of children) stack.push([c, d + 1]);
  }
  return { problem: null, fields };
}

/** Text PostgreSQL can store: NUL shown as \u0000, unpaired surrogates as U+FFFD. */
function printable(s: string): string {
  const noNul = s.includes("\u0000") ? s.replace(/\u0000/g, "\\u0000") : s;
  return isWellFormed(noNul) ? noNul : (noNul as string & { toWellFormed(): string }).toWellFormed();
}

function textOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/** CSV cells hold JSON for structured fields; JSON records hold the value itself. */
function jsonish(v: unknown, fromCsv: boolean, field: string): unknown {
  if (v === undefined || v === null) return undefined;
  if (!fromCsv || typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    return reject(`${field} is not valid JSON`);
  }
}

function flag(v: unknown, field: string): boolean {
  if (v === true || v === false) return v;
  if (typeof v === "string" && /^(true|false|1|0|yes|no)$/i.test(v.trim())) return /^(true|1|yes)$/i.test(v.trim());
  if (v === 1 || v === 0) return v === 1;
  return reject(`${field} must be true or false (got ${JSON.stringify(v)})`);
}

/** An inclusion probability: a number in (0, 1]. */
function probability(v: unknown, field: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 1) reject(`${field} must be a probability in (0, 1] (got ${JSON.stringify(v)})`);
  return n;
}

function unit(v: unknown, field: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) reject(`${field} must be a number between 0 and 1 (got ${JSON.stringify(v)})`);
  return n;
}

/**
 * Map a value onto the rubric's scale (numeric strings become numbers; binary accepts its labels), or reject.
 * `fractional`: on a likert (interval) scale any number between min and max is accepted (averaged judge scores).
 */
export function onScale(rubric: Rubric, v: unknown, field: string, fractional = false): number | string {
  let value: unknown = v;
  if (rubric.type === "likert" || rubric.type === "binary") {
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) value = Number(v);
    if (rubric.type === "binary") {
      if (v === true || v === false) value = v ? 1 : 0;
      const idx = typeof v === "string" ? rubric.labels.findIndex((l) => l.toLowerCase() === v.trim().toLowerCase()) : -1;
      if (idx >= 0) value = idx;
    }
  }
  if (rubric.type === "pairwise" && typeof v === "string") value = v.trim() === "tie" ? "tie" : v.trim().toUpperCase();
  if (fractional && rubric.type === "likert" && typeof value === "number" && Number.isFinite(value) && value >= rubric.min && value <= rubric.max) return value;
  if (!isOnScale(rubric, value)) reject(`${field} ${JSON.stringify(v)} is not on the rubric's scale`);
  return value as number | string;
}

function humanRatings(v: unknown, rubric: Rubric, externalId: string): RatingRow[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return reject("human_ratings must be a list of {rater, value}");
  const seen = new Set<string>();
  return v.map((r: unknown, i) => {
    if (typeof r !== "object" || r === null) return reject(`human_ratings[${i}] must be an object`);
    const o = r as Record<string, unknown>;
    const rater = textOf(o.rater ?? o.pseudonym)?.trim();
    if (!rater || rater.length > TEXT_LIMITS.rater) return reject(`human_ratings[${i}] needs a rater pseudonym (1–${TEXT_LIMITS.rater} characters)`);
    if (seen.has(rater)) return reject(`human_ratings has rater “${rater}” twice`);
    seen.add(rater);
    const value = onScale(rubric, o.value, `human_ratings[${i}].value`);
    const rationale = textOf(o.rationale);
    if (rationale !== undefined && rationale.length > TEXT_LIMITS.rating_rationale) tooLong(`human_ratings[${i}].rationale`, TEXT_LIMITS.rating_rationale);
    return { external_id: externalId, rater, value, ...(rationale ? { rationale } : {}) };
  });
}
