// A write that fails mid-import (here: a trigger refusing one row, in the middle of the file and as the last byte of
// a COPY) ends its transaction and releases the campaign's import lock: nothing of the import is visible, and the
// next import of the same campaign proceeds at once (a lock still held would answer 409; a hung COPY would never
// return).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { rowsOf } from "@/db/client";
import { imports, items, users } from "@/db/schema";
import { createCampaign } from "@/lib/campaigns/manage";
import { importItems } from "@/lib/ingest/import-items";
import { campaignCreateSchema } from "@/lib/validation/campaign-input";
import { backends, type TestDb } from "./backends";

const bytes = (text: string) => (async function* () {
  yield Buffer.from(text);
})();
const file = (ids: string[]) => ids.map((id) => JSON.stringify({ id, output: `output ${id}`, judge_score: 3 })).join("\n");

describe.each(backends())("a write failing mid-import on $name", (backend) => {
  let t: TestDb;
  let actorId = "";
  beforeAll(async () => {
    t = await backend.open();
    actorId = (await t.db.insert(users).values({ email: "w@x.test", name: "W", role: "researcher" }).returning({ id: users.id }))[0]!.id;
    // The database refuses any item whose external_id starts with "boom" (as a full disk or a bad value would).
    await t.db.execute(sql.raw(`create function refuse_boom() returns trigger language plpgsql as $$
      begin if new.external_id like 'boom%' then raise exception 'refused % for the test', new.external_id; end if; return new; end $$`));
    await t.db.execute(sql.raw(`create trigger refuse_boom before insert or update on items for each row execute function refuse_boom()`));
  });
  afterAll(async () => t?.drop());

  const campaign = (name: string) => createCampaign(t.db, campaignCreateSchema.parse({ name, rubric: { type: "likert", min: 1, max: 5 } }), { actorId });
  const advisoryLocks = async () =>
    backend.name === "postgres"
      ? rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`))[0]!.n
      : 0;

  it.each([
    ["in the middle of the file", ["a1", "a2", "a3", "boom", "a5", "a6"]],
    ["as the last row of the last batch (refused after the COPY's last byte)", ["b1", "b2", "b3", "b4", "boom-last"]],
  ])("%s: nothing is visible and the next import proceeds at once", async (_, ids) => {
    const c = await campaign(`Failing write ${ids[0]}`);
    const failed = await importItems(t.db, c, bytes(file(ids)), { format: "jsonl", actorId, batchSize: 2 }).then(() => null, (e: unknown) => e);
    // The database's refusal, or what drizzle wrapped it in.
    expect(`${String(failed)} ${String((failed as { cause?: unknown } | null)?.cause)}`).toMatch(/refused (a row of this batch.s COPY|boom)/);
    expect(await t.db.$count(items, eq(items.campaignId, c.id))).toBe(0);
    expect(await t.db.$count(imports, eq(imports.campaignId, c.id))).toBe(0);
    expect(await advisoryLocks()).toBe(0);
    const next = await importItems(t.db, c, bytes(file(ids.filter((id) => !id.startsWith("boom")))), { format: "jsonl", actorId, batchSize: 2 });
    expect(next).toMatchObject({ status: "succeeded", rowsNew: ids.length - 1 });
    expect(await t.db.$count(items, eq(items.campaignId, c.id))).toBe(ids.length - 1);
  });
});
