/**
 * A small seeded PRNG so every random step (routing, bootstrap, simulation) is reproducible
 * from a stored seed. Never use Math.random in the statistics core.
 */
import { StatsInputError } from "./errors";

export interface Rng {
  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
  /** Standard normal draw (Box–Muller). */
  normal(): number;
  /** The raw 32-bit unsigned output. */
  nextUint32(): number;
}

// SplitMix32 (a 32-bit variant of Steele, Lea & Flood's SplitMix) expands one seed into the
// four state words of xoshiro128**, so nearby seeds give unrelated streams.
function splitMix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/**
 * xoshiro128** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021).
 * `seed` is any integer; only its low 32 bits are used, so store seeds as 32-bit values.
 */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new StatsInputError(`createRng: seed ${seed} is not an integer`);
  const init = splitMix32(seed);
  let s0 = init();
  let s1 = init();
  let s2 = init();
  let s3 = init();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  };
  const next = (): number => nextUint32() / 4294967296;
  let spare: number | null = null;

  return {
    next,
    nextUint32,
    nextInt(n: number): number {
      if (!(Number.isInteger(n) && n > 0)) throw new StatsInputError(`nextInt: n = ${n} is not a positive integer`);
      // Multiply-and-floor on a 32-bit draw; the bias is at most n/2³², negligible for n ≪ 2³².
      return Math.floor(next() * n);
    },
    normal(): number {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      // Box–Muller; 1 − u keeps the log argument in (0, 1].
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

const LOGGAM_COEF = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** log Γ(x) for x ≥ 1 by the Stirling series (as NumPy's random_loggam). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const shift = x < 7 ? Math.floor(7 - x) : 0;
  let x0 = x + shift;
  const x2 = 1 / (x0 * x0);
  let g = LOGGAM_COEF[9]!;
  for (let k = 8; k >= 0; k--) g = g * x2 + LOGGAM_COEF[k]!;
  let gl = g / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= shift; k++) {
    gl -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return gl;
}

/**
 * Exact Poisson(λ) draw: inversion for λ < 10 (pass e^{−λ}, computed once per caller) and, above, the
 * transformed rejection method PTRS (W. Hörmann, "The transformed rejection method for generating Poisson
 * random variables", Insurance: Mathematics and Economics 12, 1993), O(1) whatever λ is.
 */
export function poissonDraw(lambda: number, expMinusLambda: number, rng: Rng): number {
  if (lambda < 10) {
    const u = rng.next();
    let k = 0;
    let p = expMinusLambda;
    let cdf = p;
    while (u > cdf && k < 1000) {
      k++;
      p *= lambda / k;
      cdf += p;
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng.next() - 0.5;
    const v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) return k;
  }
}
