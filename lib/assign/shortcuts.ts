import type { Rubric } from "@/lib/validation/campaign";

export type ScaleOption = { value: number | string; label: string; hint: string; key: string };

/**
 * The rating buttons and their keys. Likert scales that fit 0–9 use the value itself as the key (press 4 for 4);
 * other scales use positions 1–9. Pairwise uses A (left), B (right), T (tie); with `swapped` the left side
 * shows output B, so the stored value is mapped back to the item's own A/B.
 */
export function scaleOptions(rubric: Rubric, swapped = false): ScaleOption[] {
  switch (rubric.type) {
    case "likert": {
      const values = Array.from({ length: rubric.max - rubric.min + 1 }, (_, i) => rubric.min + i);
      const byValue = rubric.min >= 0 && rubric.max <= 9;
      return values.map((v, i) => ({ value: v, label: String(v), hint: rubric.labels?.[String(v)] ?? "", key: byValue ? String(v) : i < 9 ? String(i + 1) : "" }));
    }
    case "binary":
      return rubric.labels.map((label, i) => ({ value: i, label, hint: "", key: String(i + 1) }));
    case "categorical":
      return rubric.options.map((o, i) => ({ value: o, label: o, hint: "", key: i < 9 ? String(i + 1) : "" }));
    case "pairwise": {
      const left = swapped ? "B" : "A";
      const right = swapped ? "A" : "B";
      const opts: ScaleOption[] = [
        { value: left, label: "A is better", hint: "left", key: "a" },
        { value: right, label: "B is better", hint: "right", key: "b" },
      ];
      if (rubric.allowTie) opts.push({ value: "tie", label: "Tie", hint: "equally good", key: "t" });
      return opts;
    }
  }
}

export const flagReasonOptions = [
  { value: "harmful", label: "Harmful", key: "1" },
  { value: "broken", label: "Broken", key: "2" },
  { value: "unclear", label: "Unclear", key: "3" },
  { value: "wrong_language", label: "Wrong language", key: "4" },
  { value: "other", label: "Other", key: "5" },
] as const;
