// Shared by benchmarks: a fresh throwaway database on the DATABASE_URL server, peak-RSS sampling, percentiles.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openMigratedDb } from "@/db/migrate";
import type { DbHandle } from "@/db/client";

export type BenchDb = DbHandle & { url: string; drop: () => Promise<void> };

/** Create `margin_bench_<random>` on the DATABASE_URL server, migrate it, and drop it afterwards. */
export async function freshDatabase(max = 20): Promise<BenchDb> {
  const base = process.env.DATABASE_URL!;
  const name = `margin_bench_${randomBytes(5).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const handle = await openMigratedDb({ url, max });
  return {
    ...handle,
    url,
    drop: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

/** Sample this process's RSS every 50 ms; stop() returns the peak in MB. */
export function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop: () => {
      clearInterval(t);
      return Math.round((Math.max(peak, process.memoryUsage().rss) / 2 ** 20) * 10) / 10;
    },
  };
}

export const log = (...args: unknown[]) => console.error("[bench]", ...args);
export const num = (flags: Record<string, string>, key: string, dflt: number) => (flags[key] ? Number(flags[key]) : dflt);
