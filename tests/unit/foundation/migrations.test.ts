import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { indexStatements, pendingMigrations, unguardedIndexStatements } from "@/db/concurrent-indexes";

const folder = path.join(process.cwd(), "db", "migrations");
const files = fs.readdirSync(folder).filter((f) => f.endsWith(".sql"));

describe("migrations build indexes without locking live tables", () => {
  it("every CREATE/DROP INDEX in db/migrations is guarded with IF [NOT] EXISTS (so the concurrent pre-build leaves it a no-op)", () => {
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((f) => unguardedIndexStatements(fs.readFileSync(path.join(folder, f), "utf8")).map((s) => `${f}: ${s.slice(0, 80)}`));
    expect(offenders).toEqual([]);
  });

  it("rewrites index statements as CONCURRENTLY, keeping method, expressions and predicates", () => {
    const text = [
      `CREATE INDEX IF NOT EXISTS "items_gold_idx" ON "items" USING btree ("campaign_id","id") WHERE "items"."gold_answer" is not null;`,
      `CREATE UNIQUE INDEX "u_idx" ON "assignments" USING btree ("item_id","annotator_id");`,
      `CREATE INDEX IF NOT EXISTS "items_browse_tail_idx" ON "items" USING btree ("campaign_id",coalesce("tail_score", -1),"id");`,
      `DROP INDEX IF EXISTS "items_campaign_tail_idx";`,
      `ALTER TABLE "items" ADD COLUMN "x" integer;`,
    ].join("--> statement-breakpoint\n");
    expect(indexStatements(text)).toEqual([
      { kind: "create", name: "items_gold_idx", table: "items", concurrent: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "items_gold_idx" ON "items" USING btree ("campaign_id","id") WHERE "items"."gold_answer" is not null` },
      { kind: "create", name: "u_idx", table: "assignments", concurrent: `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "u_idx" ON "assignments" USING btree ("item_id","annotator_id")` },
      { kind: "create", name: "items_browse_tail_idx", table: "items", concurrent: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "items_browse_tail_idx" ON "items" USING btree ("campaign_id",coalesce("tail_score", -1),"id")` },
      { kind: "drop", name: "items_campaign_tail_idx", table: null, concurrent: `DROP INDEX CONCURRENTLY IF EXISTS "items_campaign_tail_idx"` },
    ]);
    expect(unguardedIndexStatements(text)).toEqual([`CREATE UNIQUE INDEX "u_idx" ON "assignments" USING btree ("item_id","annotator_id");`]);
  });

  it("finds pending migrations by drizzle's own rule (recorded created_at < the journal's when)", () => {
    const all = pendingMigrations(folder, null);
    expect(all.map((m) => m.tag)).toEqual(files.map((f) => f.replace(/\.sql$/, "")).sort());
    const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string; when: number }[] };
    const secondLast = journal.entries.at(-2)!;
    expect(pendingMigrations(folder, secondLast.when).map((m) => m.tag)).toEqual([journal.entries.at(-1)!.tag]);
  });
});
