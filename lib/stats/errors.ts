/**
 * Typed input errors for the statistics core. Both extend RangeError so callers
 * can catch them generically, and carry enough context to name the bad input.
 */

/** Bad shape or value passed to a statistic (length mismatch, empty input, invalid option). */
export class StatsInputError extends RangeError {
  override readonly name = "StatsInputError";
  constructor(message: string) {
    super(message);
  }
}

/** An inclusion probability outside (0, 1], or not a finite number. */
export class InclusionProbabilityError extends RangeError {
  override readonly name = "InclusionProbabilityError";
  constructor(
    readonly index: number,
    readonly value: number,
  ) {
    super(`inclusion probability π[${index}] = ${value} is not in (0, 1]`);
  }
}

export function assertSameLength(what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) {
    throw new StatsInputError(`${what}: lengths differ (${a.length} vs ${b.length})`);
  }
}

export function assertNonEmpty(what: string, a: ArrayLike<unknown>): void {
  if (a.length === 0) throw new StatsInputError(`${what}: input is empty`);
}

export function assertFinite(what: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new StatsInputError(`${what}: value at ${i} is not finite (${v})`);
  }
}

/** Throws InclusionProbabilityError unless every π is finite and 0 < π ≤ 1. */
export function assertInclusionProbabilities(pi: readonly number[]): void {
  for (let i = 0; i < pi.length; i++) {
    const p = pi[i]!;
    if (!(Number.isFinite(p) && p > 0 && p <= 1)) throw new InclusionProbabilityError(i, p);
  }
}
