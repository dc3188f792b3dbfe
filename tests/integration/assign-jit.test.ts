import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { executePrepared, rowsOf, type Db } from "@/db/client";
import { leaseStatement } from "@/db/queries/assign";
import { makeWorkCampaign } from "../fixtures/work-campaign";
import { backends, type TestDb } from "./backends";

// Issue #19: on a campaign holding 12.6k assignments the lease statement's estimated cost (the hot-path pool plans
// without sequential scans, and a disabled node adds 10^10 to the estimate) passed jit_above_cost, so PostgreSQL
// JIT-compiled it on every call: 49 ms rising to ~2 s per call, against 1.5 ms without. The hot-path pool starts its
// sessions with jit = off (db/client.ts); this checks the plan that pool actually runs.

/** Every key anywhere in an EXPLAIN (FORMAT JSON) document. */
function keysOf(v: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) keysOf(x, into);
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      into.add(k);
      keysOf(x, into);
    }
  }
  return into;
}

/**
 * EXPLAIN ANALYZE of the statement's generic plan, planned as the hot-path pool plans it (no sequential scans,
 * generic plans only; db/client.ts) plus `settings`: PREPARE on one connection, then EXPLAIN EXECUTE with the
 * parameters as literals. (EXPLAIN of a statement with bound parameters would plan it for those values instead.)
 */
async function explainGeneric(db: Db, statement: SQL, settings: Record<string, string>) {
  const q = (db as unknown as { dialect: { sqlToQuery: (s: SQL) => { sql: string; params: unknown[] } } }).dialect.sqlToQuery(statement);
  const literal = (v: unknown) => (v === null || v === undefined ? "null" : typeof v === "string" ? `'${v.replace(/'/g, "''")}'` : String(v));
  return db.transaction(async (tx) => {
    for (const [k, v] of Object.entries({ enable_seqscan: "off", plan_cache_mode: "force_generic_plan", ...settings })) {
      await tx.execute(sql`select set_config(${k}, ${v}, true)`);
    }
    await tx.execute(sql.raw(`prepare lease_probe as ${q.sql}`));
    const [row] = rowsOf<{ "QUERY PLAN": unknown }>(await tx.execute(sql.raw(`explain (analyze, format json) execute lease_probe(${q.params.map(literal).join(", ")})`)));
    await tx.execute(sql`deallocate lease_probe`);
    const plan = typeof row!["QUERY PLAN"] === "string" ? JSON.parse(row!["QUERY PLAN"] as string) : row!["QUERY PLAN"];
    return { keys: keysOf(plan), cost: (plan as [{ Plan: { "Total Cost": number } }])[0].Plan["Total Cost"] };
  });
}

describe.each(backends().filter((b) => b.name === "postgres"))("the lease statement is never JIT-compiled on $name", (backend) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await backend.open();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("EXPLAIN ANALYZE on the hot-path pool, on a campaign with 12k assignments, shows no JIT", async () => {
    const { campaign, annotators } = await makeWorkCampaign(t.db, { items: 3000, k: 3, annotators: 6 });
    const [who, ...others] = annotators as [string, ...string[]];
    // 12,000 assignments by five people: submitted, expired and live leases.
    await t.db.execute(sql`
      insert into assignments (campaign_id, item_id, annotator_id, status, leased_at, expires_at, item_version)
      select ${campaign.id}, i.id, p::uuid,
             (case when (i.id + n) % 3 = 0 then 'leased' else 'submitted' end)::assignment_status,
             now() - interval '1 hour', now() + ((i.id + n) % 3 - 1) * interval '30 minutes', 1
      from items i, json_array_elements_text(${JSON.stringify(others.slice(0, 4))}::json) with ordinality as q(p, n)
      where i.campaign_id = ${campaign.id}`);
    await t.db.execute(sql`analyze`);
    const [{ n }] = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from assignments where campaign_id = ${campaign.id}`)) as [{ n: number }];
    expect(n).toBe(12_000);

    const lease = leaseStatement({ campaignId: campaign.id, annotatorId: who, k: 5, leaseMinutes: 10, preferGold: false, swapped: false });
    // The hot-path pool's own setting, as its sessions start (db/client.ts).
    const [setting] = await executePrepared<{ jit: string }>(t.db, sql`select current_setting('jit') as jit`);
    expect(setting!.jit).toBe("off");
    // And the plan itself, with that setting: no JIT entry whatever the estimate (checked on the generic plan).
    const plan = await explainGeneric(t.db, lease, { jit: setting!.jit });
    expect(plan.keys.has("Plan")).toBe(true);
    expect(plan.keys.has("JIT")).toBe(false);
  });

  it("the check above can see JIT: the same EXPLAIN with jit forced on reports it (when the server has JIT)", async () => {
    // pg_jit_available() is false while jit is off, and a pooled deployment's database has jit = off by default
    // (db/timeouts.ts): ask with jit on, as the EXPLAIN below runs.
    const [avail] = await t.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('jit', 'on', true)`);
      return rowsOf<{ ok: boolean }>(await tx.execute(sql`select pg_jit_available() as ok`));
    });
    const { campaign, annotators } = await makeWorkCampaign(t.db, { items: 50, k: 3, annotators: 1 });
    const lease = leaseStatement({ campaignId: campaign.id, annotatorId: annotators[0]!, k: 3, leaseMinutes: 10, preferGold: false, swapped: false });
    const { keys } = await explainGeneric(t.db, lease, { jit: "on", jit_above_cost: "0" });
    // Without JIT support in the server (no LLVM) nothing is ever compiled, and there is nothing to see.
    expect(keys.has("JIT")).toBe(avail!.ok === true);
  });
});
