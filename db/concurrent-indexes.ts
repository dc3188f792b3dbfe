import fs from "node:fs";
import path from "node:path";

// Zero-downtime index changes on PostgreSQL.
//
// drizzle's migrator applies every pending migration inside one transaction, and a plain CREATE INDEX holds a SHARE
// lock on its table for the whole build: on a live `items` table of millions of rows that stops every import, lease
// and submit for minutes (0005_items_gold_index and 0010_item_browser were written that way). CREATE INDEX
// CONCURRENTLY cannot run inside a transaction, so before the migrator starts, the index statements of the pending
// migrations are run here, one by one, outside any transaction, as CREATE INDEX CONCURRENTLY IF NOT EXISTS (and
// DROP INDEX as DROP INDEX CONCURRENTLY IF EXISTS). The migration itself then finds the work done: every index
// statement in db/migrations is written with IF [NOT] EXISTS (tests/unit/foundation/migrations.test.ts holds them to
// it), so inside the transaction it is a no-op. Indexes on tables that the same pending migrations create are left
// to the migration (an empty table is indexed instantly). A build that failed halfway leaves an INVALID index
// behind; it is dropped and built again. The embedded default (PGlite, one connection) needs none of this.

export type IndexStatement = {
  kind: "create" | "drop";
  name: string;
  /** The table a CREATE INDEX is on (null for DROP INDEX). */
  table: string | null;
  /** The statement to run outside a transaction. */
  concurrent: string;
};

const CREATE = /^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?"([^"]+)"\s+ON\s+(?:ONLY\s+)?"([^"]+)"(.*)$/is;
const DROP = /^\s*DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?"([^"]+)"\s*(CASCADE|RESTRICT)?\s*;?\s*$/is;

/** The index statements of one migration file's text (drizzle separates statements with `--> statement-breakpoint`). */
export function indexStatements(migrationSql: string): IndexStatement[] {
  const out: IndexStatement[] = [];
  for (const raw of migrationSql.split("--> statement-breakpoint")) {
    const stmt = raw.trim().replace(/;\s*$/, "");
    const c = CREATE.exec(stmt);
    if (c) {
      const [, unique, name, table, rest] = c as unknown as [string, string | undefined, string, string, string];
      out.push({ kind: "create", name, table, concurrent: `CREATE ${unique ? "UNIQUE " : ""}INDEX CONCURRENTLY IF NOT EXISTS "${name}" ON "${table}"${rest}` });
      continue;
    }
    const d = DROP.exec(stmt);
    if (d) out.push({ kind: "drop", name: d[1]!, table: null, concurrent: `DROP INDEX CONCURRENTLY IF EXISTS "${d[1]}"` });
  }
  return out;
}

/** Index statements in a migration that would lock a live table: CREATE/DROP INDEX without IF [NOT] EXISTS. */
export function unguardedIndexStatements(migrationSql: string): string[] {
  return migrationSql
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => (/^CREATE\s+(UNIQUE\s+)?INDEX\s/i.test(s) && !/^CREATE\s+(UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\s/i.test(s)) || (/^DROP\s+INDEX\s/i.test(s) && !/^DROP\s+INDEX\s+IF\s+EXISTS\s/i.test(s)));
}

type Journal = { entries: { tag: string; when: number }[] };

/** Pending migrations: those newer than the last one recorded (drizzle's own rule: created_at < folderMillis). */
export function pendingMigrations(folder: string, lastAppliedMillis: number | null): { tag: string; sql: string }[] {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as Journal;
  return journal.entries
    .filter((e) => lastAppliedMillis === null || lastAppliedMillis < e.when)
    .map((e) => ({ tag: e.tag, sql: fs.readFileSync(path.join(folder, `${e.tag}.sql`), "utf8") }));
}

/** A raw session outside any transaction (a reserved postgres.js connection). */
export type RawSession = { unsafe: (query: string, params?: unknown[]) => Promise<unknown> };

/**
 * Run the pending migrations' index statements concurrently, before drizzle's migrator. Returns what it did, for
 * the log. Call it on the session that holds the migration lock, so two starters never build the same index.
 */
export async function prebuildIndexes(session: RawSession, folder: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const [table] = (await session.unsafe(`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`)) as { exists: boolean }[];
  const rows = table?.exists ? ((await session.unsafe(`select max(created_at)::text as last from drizzle.__drizzle_migrations`)) as { last: string | null }[]) : [];
  const last = rows[0]?.last;
  // A database with no migrations at all is created by them (every table is new): nothing to do concurrently.
  if (last === null || last === undefined) return [];
  const done: string[] = [];
  for (const m of pendingMigrations(folder, Number(last))) {
    for (const s of indexStatements(m.sql)) {
      if (s.kind === "create") {
        const [t] = (await session.unsafe(`select to_regclass($1) is not null as exists`, [`"${s.table}"`])) as { exists: boolean }[];
        // A table the pending migrations create: the migration indexes it while it is still empty.
        if (!t?.exists) continue;
        const [idx] = (await session.unsafe(
          `select i.indisvalid as valid from pg_class c join pg_index i on i.indexrelid = c.oid
            where c.relname = $1 and c.relnamespace = 'public'::regnamespace`,
          [s.name],
        )) as { valid: boolean }[];
        if (idx?.valid) continue;
        if (idx && !idx.valid) {
          await session.unsafe(`DROP INDEX CONCURRENTLY IF EXISTS "${s.name}"`);
          log(`dropped invalid index ${s.name} (a concurrent build that did not finish)`);
        }
      }
      await session.unsafe(s.concurrent);
      done.push(s.concurrent);
      log(`${m.tag}: ${s.concurrent.slice(0, 120)}`);
    }
  }
  return done;
}
