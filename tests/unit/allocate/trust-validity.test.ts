// Simulation (b): is the trust certificate valid? Trust or Escalate promises that, with probability ≥ 1 − δ over
// the calibration sample, the judge agrees with people at a rate ≥ target on fresh items with confidence ≥ the
// certified threshold. 1,000 seeded runs per variant: draw a labelled calibration set, certify (target 0.9,
// δ 0.1), then draw 20,000 fresh items from the same distribution and measure the realised agreement above the
// threshold. Runs that certify nothing make no claim.
//
// The population has the demo's shape: most items come from a calibrated judge (P(agree | confidence c) = c,
// confidences skewed high); 12 % are tail items on which the judge is over-confident (c in [0.75, 0.95]) and
// right half the time. The true agreement above λ crosses 0.9 near λ = 0.885 (0.906 at 0.89, 0.899 at 0.88), so
// a threshold at or below 0.88 breaks the promise.
import { describe, expect, it } from "vitest";
import { trustCertificate, type TrustObservation } from "@/lib/allocate";
import { createRng, type Rng } from "@/lib/stats";

const RUNS = 1000;
const TARGET = 0.9;
const DELTA = 0.1;
const FRESH = 20_000;

type Item = { confidence: number; agree: boolean; p: number; tail: boolean };

function draw(rng: Rng): Item {
  const tail = rng.next() < 0.12;
  const c = tail ? 0.75 + 0.2 * rng.next() : Math.min(0.999, 0.4 + 0.6 * rng.next() ** 0.4);
  const confidence = Math.round(c * 1000) / 1000;
  const p = tail ? 0.5 : c;
  return { confidence, agree: rng.next() < p, p, tail };
}

type Summary = { runs: number; certified: number; valid: number; validExpected: number; thresholds: number[] };

function run(seed: number, calibration: (rng: Rng) => TrustObservation[], s: Summary): void {
  const rng = createRng(seed);
  const cert = trustCertificate(calibration(rng), { target: TARGET, delta: DELTA });
  s.runs++;
  if (cert.threshold === null) return;
  s.certified++;
  s.thresholds.push(cert.threshold);
  let n = 0;
  let agree = 0;
  let expected = 0;
  for (let i = 0; i < FRESH; i++) {
    const it = draw(rng);
    if (it.confidence < cert.threshold) continue;
    n++;
    if (it.agree) agree++;
    expected += it.p;
  }
  if (n === 0 || agree / n >= TARGET) s.valid++;
  if (n === 0 || expected / n >= TARGET) s.validExpected++;
}

function report(name: string, s: Summary) {
  const sorted = [...s.thresholds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const out = {
    runs: s.runs,
    certifiedShare: s.certified / s.runs,
    validityRate: Number((s.valid / s.certified).toFixed(4)),
    // the same with the true agreement probability of each fresh item in place of its draw
    validityRateExpected: Number((s.validExpected / s.certified).toFixed(4)),
    medianThreshold: median,
    minThreshold: sorted[0],
  };
  console.log(`trust certificate validity (${name}):`, JSON.stringify(out));
  return out;
}

describe("trust certificate validity", () => {
  it("holds its promise in ≥ 1 − δ − 0.02 of the runs that certify (simple random calibration set of 800)", () => {
    const s: Summary = { runs: 0, certified: 0, valid: 0, validExpected: 0, thresholds: [] };
    for (let seed = 1; seed <= RUNS; seed++) run(seed, (rng) => Array.from({ length: 800 }, () => draw(rng)), s);
    const out = report("unweighted", s);
    expect(out.certifiedShare).toBeGreaterThanOrEqual(0.5);
    expect(s.valid / s.certified).toBeGreaterThanOrEqual(1 - DELTA - 0.02);
    // and on the population's own agreement rate above the threshold (no fresh-sample noise)
    expect(s.validExpected / s.certified).toBeGreaterThanOrEqual(1 - DELTA - 0.02);
  }, 60_000);

  it("holds it with π < 1 weights (a calibration set drawn as the rules route: tail and low-confidence items at π = 1, the rest at 0.25)", () => {
    const s: Summary = { runs: 0, certified: 0, valid: 0, validExpected: 0, thresholds: [] };
    const calibration = (rng: Rng): TrustObservation[] => {
      const out: TrustObservation[] = [];
      for (let i = 0; i < 2500; i++) {
        const it = draw(rng);
        const pi = it.tail || it.confidence < 0.6 ? 1 : 0.25;
        if (rng.next() < pi) out.push({ confidence: it.confidence, agree: it.agree, pi });
      }
      return out;
    };
    for (let seed = 10_001; seed <= 10_000 + RUNS; seed++) run(seed, calibration, s);
    const out = report("π-weighted", s);
    expect(out.certifiedShare).toBeGreaterThanOrEqual(0.5);
    expect(s.valid / s.certified).toBeGreaterThanOrEqual(1 - DELTA - 0.02);
    expect(s.validExpected / s.certified).toBeGreaterThanOrEqual(1 - DELTA - 0.02);
  }, 60_000);
});
