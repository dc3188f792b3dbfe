// Shared by benchmarks: a fresh throwaway database on the DATABASE_URL server, peak-RSS sampling, percentiles.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openMigratedDb } from "@/db/migrate";
import { sql } from "drizzle-orm";
import type { Db } from "@/db";
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
  // Through a pooler (DATABASE_POOLER=pgbouncer) the migrator needs the server itself: DATABASE_DIRECT_URL's
  // server, this database.
  const direct = process.env.DATABASE_DIRECT_URL ? Object.assign(new URL(process.env.DATABASE_DIRECT_URL), { pathname: `/${name}` }).toString() : undefined;
  if (process.env.DATABASE_POOLER === "pgbouncer") {
    // The settings docs/operations.md ("PgBouncer") has the operator give the web role, which startup parameters
    // cannot carry through the pooler: measure the documented configuration.
    const { databaseTimeoutSettings } = await import("@/db/timeouts");
    for (const statement of databaseTimeoutSettings(name)) await admin.unsafe(statement);
  }
  const handle = await openMigratedDb({ url, directUrl: direct, max });
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

/**
 * Drop the secondary indexes of `tables` (all but primary keys) and return a function that builds them again
 * from their saved definitions. For bulk generation of benchmark data: one sorted build per index at the end is
 * far cheaper than millions of random index insertions, and the tables end with exactly the schema's indexes.
 */
export async function withoutSecondaryIndexes(db: Db, tables: string[]): Promise<() => Promise<void>> {
  const defs = (await db.execute(sql`
    select i.relname as name, pg_get_indexdef(i.oid) as def
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    where t.relname in (${sql.join(tables.map((t) => sql`${t}`), sql`, `)}) and t.relnamespace = 'public'::regnamespace
      and not x.indisprimary and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)`)) as unknown as { name: string; def: string }[];
  for (const d of defs) await db.execute(sql.raw(`drop index "${d.name}"`));
  return async () => {
    // Index builds may use more memory than a session's default (a pool's sessions differ: one transaction).
    await db.transaction(async (tx) => {
      await tx.execute(sql`set local maintenance_work_mem = '512MB'`);
      for (const d of defs) await tx.execute(sql.raw(d.def));
    });
  };
}
