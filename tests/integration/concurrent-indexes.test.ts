// Zero-downtime index builds (db/concurrent-indexes.ts, docs/operations.md "Zero-downtime migrations"): on
// PostgreSQL the pending migrations' indexes are built CONCURRENTLY before drizzle's migrator runs, an INVALID
// leftover of an interrupted build is rebuilt, and the migration's own guarded statements are then no-ops. PGlite
// has one connection and no concurrent builds, so this runs on the server only.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import postgres from "postgres";
import { openMigratedDb } from "@/db/migrate";
import { backends, type TestDb } from "./backends";

const folder = path.join(process.cwd(), "db", "migrations");
const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string; when: number }[] };
const browser = journal.entries.find((e) => e.tag === "0010_item_browser")!;
const browserIndexes = [...fs.readFileSync(path.join(folder, `${browser.tag}.sql`), "utf8").matchAll(/INDEX IF NOT EXISTS "([^"]+)"/g)].map((m) => m[1]!);

describe.each(backends().filter((b) => b.name === "postgres"))("concurrent index builds on $name", (backend) => {
  let t: TestDb;
  let sql: postgres.Sql;
  beforeAll(async () => {
    t = await backend.open();
    sql = postgres(t.url!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await t?.drop();
  });

  it("builds a pending migration's indexes concurrently and rebuilds an invalid leftover", async () => {
    expect(browserIndexes.length).toBeGreaterThan(5);
    // Roll the database back to "0010 not applied yet": its record and its indexes gone, and one index left
    // INVALID as an interrupted CREATE INDEX CONCURRENTLY leaves it.
    const laterTags = journal.entries.filter((e) => e.when >= browser.when);
    await sql`delete from drizzle.__drizzle_migrations where created_at >= ${browser.when}`;
    for (const name of browserIndexes) await sql.unsafe(`drop index if exists "${name}"`);
    await sql.unsafe(`create index "${browserIndexes[0]}" on items (campaign_id, id)`);
    await sql.unsafe(`update pg_index set indisvalid = false where indexrelid = '"${browserIndexes[0]}"'::regclass`);

    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    try {
      const again = await openMigratedDb({ url: t.url!, max: 2 });
      await again.close();
    } finally {
      spy.mockRestore();
    }

    const built = lines.filter((l) => l.includes("CONCURRENTLY"));
    for (const name of browserIndexes) expect(built.some((l) => l.includes(`"${name}"`)), name).toBe(true);
    expect(lines.some((l) => l.includes(`dropped invalid index ${browserIndexes[0]}`))).toBe(true);
    const rows = await sql<{ name: string; valid: boolean }[]>`
      select c.relname as name, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
      where c.relname in ${sql(browserIndexes)}`;
    expect(rows.map((r) => r.name).sort()).toEqual([...browserIndexes].sort());
    expect(rows.every((r) => r.valid)).toBe(true);
    // The migrator recorded the migrations again (and ran their guarded statements as no-ops).
    const [recorded] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations where created_at >= ${browser.when}`;
    expect(recorded?.n).toBe(laterTags.length);

    // A fully migrated database has nothing pending: a restart builds nothing.
    lines.length = 0;
    const spy2 = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    try {
      await (await openMigratedDb({ url: t.url!, max: 2 })).close();
    } finally {
      spy2.mockRestore();
    }
    expect(lines.filter((l) => l.includes("CONCURRENTLY"))).toEqual([]);
  });
});
