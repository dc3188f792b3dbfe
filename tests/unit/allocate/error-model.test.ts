// lib/allocate/error-model.ts: the ridge logistic model of P(judge disagrees) and its constant fallback.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocationInputError, fitErrorModel, predictError, type ErrorFeatures, type ErrorModelFit } from "@/lib/allocate";
import { createRng } from "@/lib/stats";

type Obs = ErrorFeatures & { error: boolean; weight?: number };
const logistic = (eta: number) => 1 / (1 + Math.exp(-eta));

/** n observations from a known logistic model; groups g0 … g{k−1} with Zipf-like sizes. */
function simulate(seed: number, n: number, truth: { intercept: number; confidence: number; tail: number; groups: number[] }): Obs[] {
  const rng = createRng(seed);
  const k = truth.groups.length;
  const w = truth.groups.map((_, g) => 1 / (g + 1));
  const total = w.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = rng.next() * total;
    let g = 0;
    while (g < k - 1 && (u -= w[g]!) > 0) g++;
    const confidence = rng.next();
    const tail = rng.next();
    const eta = truth.intercept + truth.confidence * confidence + truth.tail * tail + truth.groups[g]!;
    return { confidence, tail, group: `g${g}`, error: rng.next() < logistic(eta) };
  });
}

describe("fitErrorModel: constant fallback", () => {
  it("uses the smoothed rate (errors + 1)/(n + 2) below 20 observations", () => {
    const obs: Obs[] = Array.from({ length: 19 }, (_, i) => ({ confidence: 0.9, tail: 0, group: "en", error: i < 4 }));
    const fit = fitErrorModel(obs);
    expect(fit).toEqual({ kind: "constant", rate: 5 / 21, n: 19, errors: 4 });
    expect(predictError(fit, { confidence: 0.1, tail: 1, group: "fo" })).toBeCloseTo(5 / 21, 15);
  });

  it("uses it when every observation has the same outcome, whatever n", () => {
    const none = fitErrorModel(Array.from({ length: 500 }, () => ({ confidence: 0.8, tail: 0.2, group: "x", error: false })));
    expect(none).toEqual({ kind: "constant", rate: 1 / 502, n: 500, errors: 0 });
    const all = fitErrorModel(Array.from({ length: 50 }, () => ({ confidence: 0.8, tail: 0.2, group: "x", error: true })));
    expect(all).toEqual({ kind: "constant", rate: 51 / 52, n: 50, errors: 50 });
  });

  it("has a prior rate of ½ with no observations, and clips predictions to [0.001, 0.999]", () => {
    expect(fitErrorModel([])).toEqual({ kind: "constant", rate: 0.5, n: 0, errors: 0 });
    const fit: ErrorModelFit = { kind: "constant", rate: 1e-6, n: 10, errors: 0 };
    expect(predictError(fit, { confidence: null, tail: null, group: null })).toBe(0.001);
  });

  it("takes the weighted share when weights are given", () => {
    // 2 errors of weight 3 among 10 observations of total weight 16: share 6/16, so rate = (0.375·10 + 1)/12.
    const obs: Obs[] = Array.from({ length: 10 }, (_, i) => ({ confidence: 0.5, tail: 0, group: null, error: i < 2, weight: i < 2 ? 3 : 10 / 8 }));
    const fit = fitErrorModel(obs);
    expect(fit.kind).toBe("constant");
    if (fit.kind === "constant") expect(fit.rate).toBeCloseTo((0.375 * 10 + 1) / 12, 14);
  });
});

describe("fitErrorModel: ridge logistic regression", () => {
  it("recovers the coefficients of a known model on a large sample", () => {
    const truth = { intercept: -1, confidence: -2, tail: 1.5, groups: [0, 0.8, -0.6] };
    const fit = fitErrorModel(simulate(7, 40_000, truth), { ridge: 1e-3 });
    expect(fit.kind).toBe("logistic");
    if (fit.kind !== "logistic") return;
    // All three groups have columns, so the intercept and group effects are identified only up to a shift;
    // the tiny ridge puts the shift where Σ group effects is smallest. Compare differences.
    expect(Math.abs(fit.confidence - truth.confidence)).toBeLessThan(0.15);
    expect(Math.abs(fit.tail - truth.tail)).toBeLessThan(0.15);
    expect(Math.abs(fit.groups.g1! - fit.groups.g0! - 0.8)).toBeLessThan(0.12);
    expect(Math.abs(fit.groups.g2! - fit.groups.g0! + 0.6)).toBeLessThan(0.12);
    expect(Math.abs(fit.intercept + fit.groups.g0! - truth.intercept)).toBeLessThan(0.12);
    const p = predictError(fit, { confidence: 0.3, tail: 0.9, group: "g1" });
    expect(Math.abs(p - logistic(-1 - 0.6 + 1.35 + 0.8))).toBeLessThan(0.03);
  });

  it("solves the penalised score equations: Σ w(y − p) = 0 (unpenalised intercept) and Σ w(y − p)x_j = ridge·β_j", () => {
    const obs = simulate(11, 600, { intercept: -0.5, confidence: -1, tail: 1, groups: [0, 0.5, 1, -1] }).map((o, i) => ({
      ...o,
      confidence: i % 17 === 0 ? null : o.confidence,
      tail: i % 23 === 0 ? null : o.tail,
      weight: 1 + (i % 3),
    }));
    const ridge = 2;
    const fit = fitErrorModel(obs, { ridge });
    if (fit.kind !== "logistic") throw new Error("expected a logistic fit");
    let s0 = 0;
    let sConf = 0;
    let sMiss = 0;
    let sTail = 0;
    const sGroup: Record<string, number> = {};
    for (const o of obs) {
      // unclipped prediction: recompute the linear predictor
      const eta = fit.intercept + fit.confidence * (o.confidence ?? 0.5) + (o.confidence === null ? fit.confidenceMissing : 0) + fit.tail * (o.tail ?? 0) + (fit.groups[o.group!] ?? 0);
      const r = (o.weight ?? 1) * ((o.error ? 1 : 0) - logistic(eta));
      s0 += r;
      sConf += r * (o.confidence ?? 0.5);
      sMiss += o.confidence === null ? r : 0;
      sTail += r * (o.tail ?? 0);
      sGroup[o.group!] = (sGroup[o.group!] ?? 0) + r;
    }
    expect(Math.abs(s0)).toBeLessThan(1e-7);
    expect(Math.abs(sConf - ridge * fit.confidence)).toBeLessThan(1e-7);
    expect(Math.abs(sMiss - ridge * fit.confidenceMissing)).toBeLessThan(1e-7);
    expect(Math.abs(sTail - ridge * fit.tail)).toBeLessThan(1e-7);
    for (const [g, b] of Object.entries(fit.groups)) expect(Math.abs(sGroup[g]! - ridge * b)).toBeLessThan(1e-7);
  });

  it("shrinks every coefficient but the intercept to 0 under a huge ridge", () => {
    const obs = simulate(3, 400, { intercept: 0, confidence: -3, tail: 2, groups: [0, 1] });
    const fit = fitErrorModel(obs, { ridge: 1e9 });
    if (fit.kind !== "logistic") throw new Error("expected a logistic fit");
    expect(Math.abs(fit.confidence) + Math.abs(fit.tail) + Math.abs(fit.groups.g1!)).toBeLessThan(1e-5);
    const rate = obs.filter((o) => o.error).length / obs.length;
    expect(fit.intercept).toBeCloseTo(Math.log(rate / (1 - rate)), 5);
  });

  it("learns that a missing confidence predicts errors", () => {
    const rng = createRng(5);
    const obs: Obs[] = Array.from({ length: 2000 }, () => {
      const missing = rng.next() < 0.3;
      return { confidence: missing ? null : 0.5, tail: 0, group: null, error: rng.next() < (missing ? 0.6 : 0.1) };
    });
    const fit = fitErrorModel(obs, { ridge: 0.01 });
    expect(predictError(fit, { confidence: null, tail: 0, group: null })).toBeCloseTo(0.6, 1);
    expect(predictError(fit, { confidence: 0.5, tail: 0, group: null })).toBeCloseTo(0.1, 1);
  });

  it("gives columns to the maxGroups most frequent groups only (ties by name), the rest are the baseline", () => {
    const obs: Obs[] = [];
    const sizes: Record<string, number> = { a: 30, b: 20, c: 20, d: 5 };
    for (const [g, n] of Object.entries(sizes)) for (let i = 0; i < n; i++) obs.push({ confidence: 0.5, tail: 0, group: g, error: i % 3 === 0 });
    const fit = fitErrorModel(obs, { maxGroups: 2 });
    if (fit.kind !== "logistic") throw new Error("expected a logistic fit");
    expect(Object.keys(fit.groups).sort()).toEqual(["a", "b"]);
    // an unknown group and a group without a column predict the same (the baseline)
    expect(predictError(fit, { confidence: 0.5, tail: 0, group: "d" })).toBe(predictError(fit, { confidence: 0.5, tail: 0, group: "zz" }));
    expect(predictError(fit, { confidence: 0.5, tail: 0, group: "d" })).toBe(predictError(fit, { confidence: 0.5, tail: 0, group: null }));
  });

  it("is JSON-serialisable, deterministic and safe with awkward group names", () => {
    const obs = simulate(9, 300, { intercept: -1, confidence: -1, tail: 1, groups: [0, 1, 2] }).map((o, i) => ({
      ...o,
      group: ["__proto__", "constructor", "toString"][i % 3]!,
    }));
    const fit = fitErrorModel(obs);
    const again = JSON.parse(JSON.stringify(fit)) as ErrorModelFit;
    expect(again).toEqual(fit);
    expect(fitErrorModel(obs)).toEqual(fit);
    for (const group of ["__proto__", "constructor", "toString", "hasOwnProperty", null]) {
      const f = { confidence: 0.4, tail: 0.5, group };
      expect(predictError(again, f)).toBe(predictError(fit, f));
      expect(Number.isFinite(predictError(fit, f))).toBe(true);
    }
    if (fit.kind === "logistic") expect(Object.keys(fit.groups).sort()).toEqual(["__proto__", "constructor", "toString"]);
  });

  it("fits perfectly separated data without diverging (the ridge keeps it finite)", () => {
    const obs: Obs[] = Array.from({ length: 100 }, (_, i) => ({ confidence: i / 100, tail: 0, group: null, error: i < 50 }));
    const fit = fitErrorModel(obs);
    if (fit.kind !== "logistic") throw new Error("expected a logistic fit");
    expect(Number.isFinite(fit.confidence)).toBe(true);
    expect(predictError(fit, { confidence: 0.05, tail: 0, group: null })).toBeGreaterThan(0.5);
    expect(predictError(fit, { confidence: 0.95, tail: 0, group: null })).toBeLessThan(0.5);
  });

  it("predicts in [0.001, 0.999] and refuses bad inputs", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true })), tail: fc.option(fc.double({ min: 0, max: 1, noNaN: true })), group: fc.option(fc.constantFrom("a", "b", "c")), error: fc.boolean() }), { minLength: 0, maxLength: 60 }),
        fc.record({ confidence: fc.option(fc.double({ min: -5, max: 5, noNaN: true })), tail: fc.option(fc.double({ min: -5, max: 5, noNaN: true })), group: fc.option(fc.string()) }),
        (obs, f) => {
          const p = predictError(fitErrorModel(obs), f);
          expect(p).toBeGreaterThanOrEqual(0.001);
          expect(p).toBeLessThanOrEqual(0.999);
        },
      ),
      { numRuns: 200 },
    );
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(AllocationInputError);
        return (e as AllocationInputError).field;
      }
      return null;
    };
    expect(field(() => fitErrorModel([], { ridge: -1 }))).toBe("ridge");
    expect(field(() => fitErrorModel([], { maxGroups: 1.5 }))).toBe("maxGroups");
    expect(field(() => fitErrorModel([{ confidence: Number.NaN, tail: 0, group: null, error: true }]))).toBe("confidence");
    expect(field(() => fitErrorModel([{ confidence: 0.5, tail: Infinity, group: null, error: true }]))).toBe("tail");
    expect(field(() => fitErrorModel([{ confidence: 0.5, tail: 0, group: null, error: true, weight: 0 }]))).toBe("weight");
  });
});
