// Shared helpers for the stats tests (not a test file itself).
import { expect } from "vitest";
import { createRng } from "@/lib/stats";

/** A seeded Fisher–Yates permutation of 0..n−1. */
export function permutation(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

export function permute<T>(xs: readonly T[], perm: readonly number[]): T[] {
  return perm.map((i) => xs[i]!);
}

/** Equal within `tol`, treating two NaNs as equal. */
export function expectSame(actual: number, expected: number, tol = 1e-9): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
    return;
  }
  expect(Math.abs(actual - expected), `got ${actual}, expected ${expected}`).toBeLessThanOrEqual(tol);
}
