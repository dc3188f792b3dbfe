// Every case in the published reference vectors (a verbatim copy of shared/stats-vectors.json),
// iterated so that a case added to the file is tested without touching this file.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  cohenKappa,
  cohenKappaFromTable,
  fleissKappa,
  krippendorffAlpha,
  predictionPoweredMean,
  spearmanRho,
  wilsonInterval,
  type KappaWeights,
  type MeasurementLevel,
} from "@/lib/stats";

type Case = Record<string, unknown> & { name: string; tolerance?: number };
const vectors = JSON.parse(readFileSync(new URL("./stats-vectors.json", import.meta.url), "utf8")) as Record<
  string,
  unknown
>;

const SECTIONS = [
  "krippendorff_alpha",
  "cohen_kappa",
  "fleiss_kappa",
  "spearman_rho",
  "wilson_interval_95",
  "ipw_prediction_powered_mean",
] as const;

function cases(section: (typeof SECTIONS)[number]): Case[] {
  const list = vectors[section];
  if (!Array.isArray(list) || list.length === 0) throw new Error(`section ${section} is missing or empty`);
  return list as Case[];
}
const tol = (c: Case): number => c.tolerance ?? 1e-6;
const num = (x: unknown): number => x as number;
const expectClose = (actual: number, expected: number, t: number) =>
  expect(Math.abs(actual - expected), `got ${actual}, expected ${expected}`).toBeLessThanOrEqual(t);

describe("stats-vectors.json copy", () => {
  it("has the expected top-level keys, and none this suite does not test", () => {
    expect(Object.keys(vectors).sort()).toEqual(["_about", ...SECTIONS].sort());
    expect(typeof vectors._about).toBe("string");
  });

  it("publishes 3-dp values consistent with the precise ones", () => {
    for (const section of SECTIONS) {
      for (const c of cases(section)) {
        if (c.published_3dp === undefined) continue;
        const precise = c.expected as Record<string, number> | number;
        const published = c.published_3dp as Record<string, number> | number;
        if (typeof published === "number") expectClose(num(precise), published, 5e-4);
        else for (const [k, v] of Object.entries(published)) expectClose(num((precise as Record<string, number>)[k]), v, 5e-4);
      }
    }
  });
});

describe("Krippendorff's alpha vectors", () => {
  for (const c of cases("krippendorff_alpha")) {
    for (const [level, expected] of Object.entries(c.expected as Record<string, number>)) {
      it(`${c.name} — ${level}`, () => {
        expectClose(krippendorffAlpha(c.data as (number | null)[][], level as MeasurementLevel), expected, tol(c));
      });
    }
  }
});

describe("Cohen's kappa vectors", () => {
  for (const c of cases("cohen_kappa")) {
    for (const [weights, expected] of Object.entries(c.expected as Record<string, number>)) {
      it(`${c.name} — ${weights}`, () => {
        const w = weights as KappaWeights;
        if (c.table !== undefined) {
          expectClose(cohenKappaFromTable(c.table as number[][], w), expected, tol(c));
        } else {
          const a = c.rater_a as number[];
          const b = c.rater_b as number[];
          expectClose(cohenKappa(a, b, w), expected, tol(c));
          expectClose(cohenKappa(b, a, w), expected, tol(c));
        }
      });
    }
  }
});

describe("Fleiss' kappa vectors", () => {
  for (const c of cases("fleiss_kappa")) {
    it(c.name, () => expectClose(fleissKappa(c.counts as number[][]), num(c.expected), tol(c)));
  }
});

describe("Spearman's rho vectors", () => {
  for (const c of cases("spearman_rho")) {
    it(c.name, () => expectClose(spearmanRho(c.a as number[], c.b as number[]), num(c.expected), tol(c)));
  }
});

describe("Wilson interval vectors", () => {
  for (const c of cases("wilson_interval_95")) {
    it(c.name, () => {
      const [lo, hi] = c.expected as [number, number];
      const w = wilsonInterval(num(c.k), num(c.n));
      expectClose(w.lower, lo, tol(c));
      expectClose(w.upper, hi, tol(c));
    });
  }
});

describe("prediction-powered IPW mean vectors", () => {
  for (const c of cases("ipw_prediction_powered_mean")) {
    it(c.name, () => {
      const expected = c.expected as { estimate: number; se: number };
      // The case's se is the superpopulation one, sd(terms, ddof = 0)/√N (Zrnic & Candès 2024).
      const r = predictionPoweredMean(
        {
          judge: c.judge_f as number[],
          human: c.human_y as number[],
          pi: c.inclusion_pi as number[],
          labelled: c.labelled_xi as number[],
        },
        { variance: "superpopulation" },
      );
      expectClose(r.estimate, expected.estimate, tol(c));
      expectClose(r.se, expected.se, tol(c));
      expectClose(r.seSuperpopulation, expected.se, tol(c));
    });
  }
});
