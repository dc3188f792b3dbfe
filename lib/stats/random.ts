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
