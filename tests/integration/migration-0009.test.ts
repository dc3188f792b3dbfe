import { mkdtempSync, cpSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder, openDb, type DbHandle } from "@/db/client";

// Migration 0009 renames audit actions written before it to one tense, with the append-only trigger set aside
// for that statement only. Run 0000–0008, write old-style rows, then run 0009, on each backend.

const OLD_TO_NEW: Record<string, string> = {
  "campaign.created": "campaign.create",
  "campaign.updated": "campaign.update",
  "items.imported": "items.import",
  "flag.resolved": "flag.resolve",
  "auth.signin_failed": "auth.signin_fail",
  "membership.invite_claimed": "membership.invite_claim",
  "export.create": "export.create",
};

function foldersUpTo(tag: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "margin-mig-"));
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalPath = path.join(dir, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === tag);
  journal.entries = journal.entries.slice(0, cut);
  writeFileSync(journalPath, JSON.stringify(journal));
  return dir;
}

async function migrateTo(handle: DbHandle, folder: string) {
  if (handle.kind === "embedded") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, { migrationsFolder: folder });
  } else {
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    await migrate(handle.db as never, { migrationsFolder: folder });
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function openFresh(kind: "pglite" | "postgres"): Promise<DbHandle> {
  if (kind === "pglite") {
    const h = await openDb({ dataDir: "memory://" });
    cleanups.push(() => h.close());
    return h;
  }
  const base = process.env.DATABASE_URL!;
  const u = new URL(base);
  const name = `margin_mig_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  u.pathname = `/${name}`;
  const h = await openDb({ url: u.toString(), max: 2, timeouts: false });
  cleanups.push(async () => {
    await h.close();
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  return h;
}

const kinds: ("pglite" | "postgres")[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

describe.each(kinds)("migration 0009 (%s)", (kind) => {
  it("renames old audit actions, keeps the table append-only and adds the import statuses", async () => {
    const before = foldersUpTo("0009_import_status_audit");
    cleanups.push(async () => rmSync(before, { recursive: true, force: true }));
    const handle = await openFresh(kind);
    await migrateTo(handle, before);
    for (const action of Object.keys(OLD_TO_NEW)) {
      await handle.db.execute(sql`insert into audit_events (action, details) values (${action}, '{}'::jsonb)`);
    }
    await migrateTo(handle, migrationsFolder);

    const rows = (await handle.db.execute(sql`select action from audit_events order by id`)) as unknown;
    const list = (Array.isArray(rows) ? rows : (rows as { rows: { action: string }[] }).rows) as { action: string }[];
    expect(list.map((r) => r.action)).toEqual(Object.values(OLD_TO_NEW));

    // Still append-only after the migration.
    await expect(handle.db.execute(sql`update audit_events set action = 'x'`)).rejects.toThrow();
    await expect(handle.db.execute(sql`delete from audit_events`)).rejects.toThrow();

    const labels = (await handle.db.execute(sql`select unnest(enum_range(null::import_status))::text as s`)) as unknown;
    const statuses = (Array.isArray(labels) ? labels : (labels as { rows: { s: string }[] }).rows) as { s: string }[];
    expect(statuses.map((r) => r.s)).toEqual(["running", "succeeded", "failed", "partial", "empty"]);
  });
});
