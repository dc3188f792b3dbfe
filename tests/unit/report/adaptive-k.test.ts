import { describe, expect, it } from "vitest";
import { assembleReport, DEFAULT_REPORT_PARAMS } from "@/lib/report";
import type { LabelledRow } from "@/lib/report/units";
import { createRng } from "@/lib/stats/random";
import type { Rubric } from "@/lib/validation/campaign";

// Raters who are coin flips on items that do not differ: the true pair agreement is 0.5 and α is 0. Adaptive k
// (k_min 2, k_max 4) stops when the first two agree and collects four when they do not, so the number of ratings
// depends on the ratings: counting every rating inflates agreement; the first k_min ratings do not.
const rubric: Rubric = { type: "binary", labels: ["no", "yes"] };

function rows(seed: number, n: number): LabelledRow[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const flip = () => (rng.next() < 0.5 ? 1 : 0);
    const values = [flip(), flip()];
    if (values[0] !== values[1]) values.push(flip(), flip());
    return { itemId: i + 1, externalId: `e${i + 1}`, version: 1, group: "g", tail: 0.5, pi: 1, reason: "control", confidence: 0.9, judgeScore: flip(), values };
  });
}

const report = (adaptive: boolean) =>
  assembleReport({
    campaignId: "adaptive",
    rubric,
    params: DEFAULT_REPORT_PARAMS,
    watermark: "w",
    computedAt: new Date(0),
    population: [{ group: "g", bucket: 5, reason: "control", items: 2000, judged: 2000, routed: 2000, sampled: 2000 }],
    k: 4,
    rows: rows(7, 2000),
    resamples: 200,
    ...(adaptive ? { adaptive: { kMin: 2, agreeDistance: 0 } } : {}),
  });

describe("the report under adaptive k", () => {
  it("reads human–human agreement and α from the first k_min ratings, so stopping on agreement does not inflate them", () => {
    const naive = report(false).overall;
    const fixed = report(true).overall;
    // Every rating counted: agreeing pairs are over-represented (≈ 0.71).
    expect(naive.humanAgreement!.estimate).toBeGreaterThan(0.65);
    expect(fixed.humanAgreement!.lower).toBeLessThanOrEqual(0.5);
    expect(fixed.humanAgreement!.upper).toBeGreaterThanOrEqual(0.5);
    expect(fixed.humanAlpha!.lower).toBeLessThanOrEqual(0);
    expect(fixed.humanAlpha!.upper).toBeGreaterThanOrEqual(0);
  });
  it("counts an item as fully judged when it reached its own target: two agreeing ratings, or four", () => {
    const r = report(true);
    expect(r.overall.counts.fullyJudged).toBe(2000);
    expect(report(false).overall.counts.fullyJudged).toBeLessThan(2000);
    expect(r.notes.join(" ")).toContain("first 2 ratings");
  });
});
