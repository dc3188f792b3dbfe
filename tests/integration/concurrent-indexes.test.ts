// Zero-downtime index builds (db/concurrent-indexes.ts, docs/operations.md "Zero-downtime migrations"): on
// PostgreSQL a pending migration's indexes are built CONCURRENTLY before drizzle's migrator runs, an INVALID
// leftover of an interrupted build is rebuilt, and the migration's own guarded statements are then no-ops. The
// pending migration here is a probe appended to a copy of the real migrations folder, so the test does not depend
// on which real migration came last. PGlite has one connection and no concurrent builds: server only.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import postgres from "postgres";
import { prebuildIndexes, type RawSession } from "@/db/concurrent-indexes";
import { migrationsFolder, openDb } from "@/db/client";
import { backends, type TestDb } from "./backends";

const PROBE = ["items_probe_judge_idx", "items_probe_model_idx"];

function probeFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-migrations-"));
  fs.mkdirSync(path.join(dir, "meta"));
  for (const f of fs.readdirSync(migrationsFolder).filter((f) => f.endsWith(".sql"))) fs.copyFileSync(path.join(migrationsFolder, f), path.join(dir, f));
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { idx: number; when: number; tag: string }[] };
  const last = journal.entries.at(-1)!;
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag: "9999_concurrent_probe" });
  fs.writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify(journal));
  fs.writeFileSync(
    path.join(dir, "9999_concurrent_probe.sql"),
    [
      `CREATE INDEX IF NOT EXISTS "${PROBE[0]}" ON "items" USING btree ("campaign_id","judge_score") WHERE "items"."judge_score" is not null;`,
      `CREATE INDEX IF NOT EXISTS "${PROBE[1]}" ON "items" USING btree ("campaign_id","model");`,
    ].join("--> statement-breakpoint\n"),
  );
  return dir;
}

describe.each(backends().filter((b) => b.name === "postgres"))("concurrent index builds on $name", (backend) => {
  let t: TestDb;
  let sql: postgres.Sql;
  let folder: string;
  beforeAll(async () => {
    t = await backend.open();
    sql = postgres(t.directUrl ?? t.url!, { max: 1, onnotice: () => {} });
    folder = probeFolder();
  });
  afterAll(async () => {
    await sql?.end();
    await t?.drop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it("builds a pending migration's indexes concurrently, rebuilds an invalid leftover, and leaves the migration a no-op", async () => {
    // An interrupted CREATE INDEX CONCURRENTLY leaves its index INVALID: the first probe index starts that way.
    await sql.unsafe(`create index "${PROBE[0]}" on items (campaign_id)`);
    await sql.unsafe(`update pg_index set indisvalid = false where indexrelid = '"${PROBE[0]}"'::regclass`);

    const lines: string[] = [];
    const session = await sql.reserve();
    let done: string[];
    try {
      done = await prebuildIndexes(session as unknown as RawSession, folder, (l) => lines.push(l));
    } finally {
      session.release();
    }
    expect(done).toEqual([
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${PROBE[0]}" ON "items" USING btree ("campaign_id","judge_score") WHERE "items"."judge_score" is not null`,
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${PROBE[1]}" ON "items" USING btree ("campaign_id","model")`,
    ]);
    expect(lines.some((l) => l.includes(`dropped invalid index ${PROBE[0]}`))).toBe(true);
    const rows = await sql<{ name: string; valid: boolean; def: string }[]>`
      select c.relname as name, i.indisvalid as valid, pg_get_indexdef(i.indexrelid) as def
      from pg_index i join pg_class c on c.oid = i.indexrelid where c.relname in ${sql(PROBE)} order by 1`;
    expect(rows.map((r) => [r.name, r.valid])).toEqual([
      [PROBE[0], true],
      [PROBE[1], true],
    ]);
    // The rebuilt index is the migration's definition, not the leftover's.
    expect(rows[0]!.def).toContain("judge_score");

    // drizzle's migrator then applies the probe migration: its guarded statements find the indexes and do nothing.
    const handle = await openDb({ url: t.directUrl ?? t.url!, pooler: false, max: 2, timeouts: false, hotPool: false });
    try {
      const { migrate } = await import("drizzle-orm/postgres-js/migrator");
      await migrate(handle.db as never, { migrationsFolder: folder });
    } finally {
      await handle.close();
    }
    const [recorded] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(recorded!.n).toBe(fs.readdirSync(folder).filter((f) => f.endsWith(".sql")).length);

    // Nothing is pending any more: a restart builds nothing.
    const again = await sql.reserve();
    try {
      expect(await prebuildIndexes(again as unknown as RawSession, folder)).toEqual([]);
    } finally {
      again.release();
    }
  });
});
