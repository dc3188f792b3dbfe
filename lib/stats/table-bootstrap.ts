/**
 * Poisson bootstrap of statistics of a summed sparse table (a judge × consensus table, a coincidence matrix):
 * units with identical contributions form one type, so a resample costs O(types), not O(units).
 */
import { quantileSorted, type Interval } from "./intervals";
import { createRng, poissonDraw } from "./random";

/** A class of identical units: how many there are and what each adds to the flat table (sparse). */
export type UnitType = { count: number; cells: number[]; amounts: number[] };

/** Group units with identical contributions, so resampling draws one count per type. */
export function typeUnits(units: readonly { cells: number[]; amounts: number[] }[]): UnitType[] {
  return typeUnitsBy(units, (u) => `${u.cells.join(",")}|${u.amounts.join(",")}`, (u) => u);
}

/**
 * The same without building every unit's contribution: `key` names the type (e.g. sorted ratings and weight)
 * and `contribution` is computed once per type.
 */
export function typeUnitsBy<U, K extends string | number>(
  units: readonly U[],
  key: (u: U) => K,
  contribution: (u: U) => { cells: number[]; amounts: number[] },
): UnitType[] {
  const byKey = new Map<K, UnitType>();
  for (const u of units) {
    const k = key(u);
    const t = byKey.get(k);
    if (t) t.count += 1;
    else byKey.set(k, { count: 1, ...contribution(u) });
  }
  return [...byKey.values()];
}

export type TableBootstrapOptions = { resamples: number; seed: number };

/**
 * Poisson bootstrap of statistics of a summed table (Hanley & MacGibbon 2006; Chamandy et al. 2012): each
 * unit appears Poisson(1) times per resample, so a type of c identical units appears Poisson(c) times. For
 * large n this matches the multinomial bootstrap and costs O(types) per resample, whatever n is. Several
 * statistics share the same resamples. Seeded; percentile 95% intervals; null where the statistic is
 * undefined on the data or on most resamples.
 */
export function tableBootstrapMany(
  types: readonly UnitType[],
  size: number,
  stats: readonly ((flat: Float64Array) => number)[],
  options: TableBootstrapOptions,
): (Interval | null)[] {
  const full = new Float64Array(size);
  for (const t of types) for (let i = 0; i < t.cells.length; i++) full[t.cells[i]!]! += t.count * t.amounts[i]!;
  const estimates = stats.map((f) => f(full));
  const rng = createRng(options.seed);
  const draws = stats.map(() => [] as number[]);
  const flat = new Float64Array(size);
  const expMinus = types.map((t) => Math.exp(-t.count));
  for (let b = 0; b < options.resamples; b++) {
    flat.fill(0);
    for (let ti = 0; ti < types.length; ti++) {
      const t = types[ti]!;
      const times = poissonDraw(t.count, expMinus[ti]!, rng);
      if (times === 0) continue;
      for (let i = 0; i < t.cells.length; i++) flat[t.cells[i]!]! += times * t.amounts[i]!;
    }
    stats.forEach((f, si) => {
      if (!Number.isFinite(estimates[si]!)) return;
      const s = f(flat);
      if (Number.isFinite(s)) draws[si]!.push(s);
    });
  }
  return estimates.map((estimate, si) => {
    const xs = draws[si]!.sort((a, b) => a - b);
    // Too few resamples with a defined statistic (e.g. no variation): no honest interval.
    if (!Number.isFinite(estimate) || xs.length < options.resamples / 2) return null;
    return { estimate, lower: quantileSorted(xs, 0.025), upper: quantileSorted(xs, 0.975) };
  });
}

/** tableBootstrapMany for one statistic. */
export function tableBootstrap(
  types: readonly UnitType[],
  size: number,
  stat: (flat: Float64Array) => number,
  options: TableBootstrapOptions,
): Interval | null {
  return tableBootstrapMany(types, size, [stat], options)[0]!;
}
