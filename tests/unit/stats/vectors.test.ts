// Every case in the published reference vectors (a verbatim copy of shared/stats-vectors.json),
// iterated so that a case added to the file is tested without touching this file.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  alphaFromFlat,
  cohenKappa,
  cohenKappaFromTable,
  contingencyTable,
  fleissKappa,
  kappaFromFlat,
  krippendorffAlpha,
  occurringCategories,
  predictionPoweredBias,
  predictionPoweredMean,
  spearmanFromFlat,
  spearmanRho,
  unitCoincidences,
  wilsonEffective,
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

// The same published values through the flat-table kernels the report's bootstrap calls.
describe("table kernels reproduce the vectors", () => {
  for (const c of cases("krippendorff_alpha")) {
    for (const [level, expected] of Object.entries(c.expected as Record<string, number>)) {
      it(`alphaFromFlat: ${c.name} — ${level}`, () => {
        const data = c.data as (number | null)[][];
        const scale = [...new Set(data.flat().filter((v): v is number => v !== null))].sort((a, b) => a - b);
        const k = scale.length;
        const flat = new Float64Array(k * k);
        for (let u = 0; u < data[0]!.length; u++) {
          const codes = data.flatMap((row) => (row[u] === null ? [] : [scale.indexOf(row[u]!)]));
          if (codes.length < 2) continue;
          const co = unitCoincidences(codes, k);
          co.cells.forEach((cell, i) => (flat[cell]! += co.amounts[i]!));
        }
        expectClose(alphaFromFlat(flat, scale, level as MeasurementLevel), expected, tol(c));
      });
    }
  }

  for (const c of cases("cohen_kappa")) {
    for (const [weights, expected] of Object.entries(c.expected as Record<string, number>)) {
      it(`kappaFromFlat: ${c.name} — ${weights}`, () => {
        let table = c.table as number[][] | undefined;
        if (table === undefined) {
          const a = c.rater_a as number[];
          const b = c.rater_b as number[];
          table = contingencyTable(a, b, occurringCategories(a, b));
        }
        const flat = Float64Array.from(table.flat());
        expectClose(kappaFromFlat(flat, table.length, weights as KappaWeights), expected, tol(c));
      });
    }
  }

  for (const c of cases("spearman_rho")) {
    it(`spearmanFromFlat: ${c.name}`, () => {
      const a = c.a as number[];
      const b = c.b as number[];
      const rows = [...new Set(a)].sort((x, y) => x - y);
      const cols = [...new Set(b)].sort((x, y) => x - y);
      const flat = new Float64Array(rows.length * cols.length);
      a.forEach((x, i) => (flat[rows.indexOf(x) * cols.length + cols.indexOf(b[i]!)]! += 1));
      expectClose(spearmanFromFlat(flat, rows, cols), num(c.expected), tol(c));
    });
  }

  for (const c of cases("wilson_interval_95")) {
    it(`wilsonEffective: ${c.name}`, () => {
      const [lo, hi] = c.expected as [number, number];
      const w = wilsonEffective(num(c.k) / num(c.n), num(c.n));
      expectClose(w.lower, lo, tol(c));
      expectClose(w.upper, hi, tol(c));
    });
  }

  for (const c of cases("ipw_prediction_powered_mean")) {
    it(`predictionPoweredBias: ${c.name}`, () => {
      // mean(f) − μ̂ = (1/N) Σ_labelled (f − Y)/π
      const f = c.judge_f as number[];
      const y = c.human_y as number[];
      const pi = c.inclusion_pi as number[];
      const xi = c.labelled_xi as number[];
      const labelled = f.flatMap((fi, i) => (xi[i] ? [{ d: fi - y[i]!, pi: pi[i]! }] : []));
      const meanF = f.reduce((s, x) => s + x, 0) / f.length;
      const expected = c.expected as { estimate: number };
      expectClose(predictionPoweredBias(f.length, labelled).estimate, meanF - expected.estimate, tol(c));
    });
  }
});
