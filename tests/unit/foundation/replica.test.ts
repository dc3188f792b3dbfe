import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { FreshnessLine } from "@/components/reports/freshness-line";
import type { Db } from "@/db";
import { chooseReads, describeUrl, replicaProblem, replicaSettings } from "@/db/replica";

describe("replica start-up verdicts", () => {
  it("names each problem for the log, and gives readers a reason without addresses", () => {
    expect(replicaProblem({ reachable: false, error: "connect ECONNREFUSED 10.0.0.5:5432" })).toEqual({
      log: "cannot be reached (connect ECONNREFUSED 10.0.0.5:5432)",
      reason: "replica unreachable",
    });
    expect(replicaProblem({ reachable: true, inRecovery: false, systemId: "7", primarySystemId: "7" })).toEqual({
      log: "is not a replica: pg_is_in_recovery() is false (it is the primary itself, or a promoted copy of it)",
      reason: "the configured replica is not a replica",
    });
    expect(replicaProblem({ reachable: true, inRecovery: false, systemId: "7", primarySystemId: null })!.log).toBe("is not a replica: pg_is_in_recovery() is false");
    // Another cluster's standby is in recovery, but of the wrong primary; another cluster's primary is both wrong,
    // and the cluster is named first.
    for (const inRecovery of [true, false]) {
      expect(replicaProblem({ reachable: true, inRecovery, systemId: "8", primarySystemId: "7" })).toEqual({
        log: "belongs to another PostgreSQL cluster (system identifier 8, the primary's is 7)",
        reason: "the configured replica belongs to another database cluster",
      });
    }
    expect(replicaProblem({ reachable: true, inRecovery: true, systemId: "7", primarySystemId: "7" })).toBeNull();
    // The primary could not be asked: judged on recovery alone.
    expect(replicaProblem({ reachable: true, inRecovery: true, systemId: "8", primarySystemId: null })).toBeNull();
  });

  it("describes a URL without its credentials", () => {
    expect(describeUrl("postgres://margin:s3cret@replica.internal:6432/margin")).toBe("replica.internal:6432/margin");
    expect(describeUrl("postgres://replica/margin")).toBe("replica:5432/margin");
    expect(describeUrl("not a url")).toBe("(an unreadable URL)");
  });

  it("reads its settings from the environment, with defaults for unset or unreadable values", () => {
    const saved = { ...process.env };
    try {
      delete process.env.REPORTS_MAX_LAG_MS;
      process.env.REPORTS_CATCHUP_WAIT_MS = "-5";
      process.env.REPORTS_RECHECK_MS = "1500";
      expect(replicaSettings()).toEqual({ maxLagMs: 30_000, catchupWaitMs: 500, recheckMs: 1500 });
    } finally {
      process.env = saved;
    }
  });
});

type ReplicaRow = { in_recovery: boolean; caught_up: boolean; replayed: string | null };

/** A primary and a replica answering the two freshness queries with scripted rows (execute is all chooseReads uses). */
function fakes(primaryNow: string, replicaRows: ReplicaRow[]) {
  let i = 0;
  const primary = { execute: async () => [{ lsn: "0/4016C50", now: primaryNow }] } as unknown as Db;
  const replica = { execute: async () => [replicaRows[Math.min(i++, replicaRows.length - 1)]!] } as unknown as Db;
  return { primary, replica, polls: () => i };
}

describe("choosing the replica or the primary for one read", () => {
  const now = "2026-12-02T12:00:10.000+00:00";

  it("a caught-up replica: read there, no lag, data as of the primary's clock when the read began", async () => {
    const { primary, replica } = fakes(now, [{ in_recovery: true, caught_up: true, replayed: "2026-12-02T11:00:00+00:00" }]);
    const r = await chooseReads(primary, replica, { maxLagMs: 0, catchupWaitMs: 0 });
    expect(r.db).toBe(replica);
    // The last replayed commit is an hour old, but nothing newer exists on the primary: the replica is current.
    expect(r.freshness).toEqual({ source: "replica", replayedAt: "2026-12-02T12:00:10.000Z", lagMs: 0 });
  });

  it("waits for a replica that is catching up, within the wait", async () => {
    const behind = { in_recovery: true, caught_up: false, replayed: "2026-12-02T12:00:09.900+00:00" };
    const { primary, replica, polls } = fakes(now, [behind, behind, { ...behind, caught_up: true }]);
    const r = await chooseReads(primary, replica, { maxLagMs: 0, catchupWaitMs: 5_000 });
    expect(r.db).toBe(replica);
    expect(r.freshness.lagMs).toBe(0);
    expect(polls()).toBe(3);
  });

  it("still behind after the wait: the replica within REPORTS_MAX_LAG_MS, the primary beyond it", async () => {
    const behind = { in_recovery: true, caught_up: false, replayed: "2026-12-02T12:00:09.800+00:00" };
    const near = await chooseReads(...pair(behind), { maxLagMs: 200, catchupWaitMs: 20 });
    expect(near.freshness).toEqual({ source: "replica", replayedAt: "2026-12-02T12:00:09.800Z", lagMs: 200 });
    const far = await chooseReads(...pair(behind), { maxLagMs: 199, catchupWaitMs: 20 });
    expect(far.freshness).toEqual({ source: "primary", replayedAt: null, lagMs: 200, reason: "replica 0.2 s behind, over the 0.199 s limit" });
    // Behind with no replayed commit to date it: its lag is unknown, so it is never trusted.
    const unknown = await chooseReads(...pair({ ...behind, replayed: null }), { maxLagMs: 60_000, catchupWaitMs: 0 });
    expect(unknown.freshness).toEqual({ source: "primary", replayedAt: null, lagMs: null, reason: "replica behind (no replayed commit to date it), over the 60 s limit" });
  });

  it("refuses a server that has left recovery (promoted) and lets the caller fall back", async () => {
    await expect(chooseReads(...pair({ in_recovery: false, caught_up: true, replayed: null }), { maxLagMs: 0, catchupWaitMs: 0 })).rejects.toThrow(/pg_is_in_recovery\(\) is false/);
  });

  function pair(row: ReplicaRow): [Db, Db] {
    const { primary, replica } = fakes(now, [row]);
    return [primary, replica];
  }
});

describe("the report's freshness line", () => {
  const line = (freshness: Parameters<typeof FreshnessLine>[0]["freshness"]) => renderToStaticMarkup(createElement(FreshnessLine, { freshness })).replace(/<[^>]+>/g, "");

  it("says where the report was read and how far behind, or why the primary was read", () => {
    expect(line({ source: "replica", replayedAt: "2026-12-02T12:00:09.800Z", lagMs: 200 })).toMatch(/^Read from the replica, replayed .*2026.*, 0\.2 s behind\.$/);
    expect(line({ source: "replica", replayedAt: "2026-12-02T12:00:10.000Z", lagMs: 0 })).toMatch(/, 0 s behind\.$/);
    expect(line({ source: "primary", replayedAt: null, lagMs: 45_000, reason: "replica 45.0 s behind, over the 30 s limit" })).toBe("Read from the primary (replica 45.0 s behind, over the 30 s limit).");
    // No replica configured: nothing to say.
    expect(line({ source: "primary", replayedAt: null, lagMs: null })).toBe("");
  });
});
