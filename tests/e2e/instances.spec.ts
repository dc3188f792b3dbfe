/**
 * Several app instances and workers on one PostgreSQL database (issue #19): two production servers
 * (scripts/serve.mjs on the build the suite made) and two workers (scripts/worker.ts) share a fresh database with the
 * demo campaign. 200 contributors, each an HTTP client with its own API key, rate through the same routes the rating
 * page uses (POST …/assignments/next, POST …/judgments), half of them on each instance. Afterwards the database must
 * show no (item, annotator) pair judged twice and no item version over k, counting live leases too. A re-route
 * requested on one instance is run by a worker and its status read on the other (job state lives in the database).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { freePort } from "../fixtures/free-port";

const CONTRIBUTORS = 200;
const RATINGS_EACH = 4;
const SLUG = "multilingual-helpfulness";

async function waitHealthy(base: string, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${log.join("")}`);
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server at ${base} not healthy after 120 s:\n${log.join("")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// PGlite (no DATABASE_URL) is one process's database: several instances need PostgreSQL, so the test exists only
// there (CI runs the suite on PostgreSQL), as tests/integration/backends.ts does for its postgres backend.
if (process.env.DATABASE_URL) {
  test("two app instances and two workers: 200 contributors, no double assignment, no item over k", async () => {
    test.setTimeout(600_000);
    const base = new URL(process.env.DATABASE_URL!);
    if (!["127.0.0.1", "localhost", "::1"].includes(base.hostname)) throw new Error("instances.spec.ts refuses a non-local database");
    const name = `margin_e2e_instances_${randomBytes(4).toString("hex")}`;
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    base.pathname = `/${name}`;
    const url = base.toString();
    const sql = postgres(url, { max: 4, onnotice: () => {} });
    const children: ChildProcess[] = [];
    const log: string[] = [];
    const run = (args: string[], env: NodeJS.ProcessEnv, tag: string) => {
      const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout!.on("data", (d: Buffer) => log.push(`[${tag}] ${d}`));
      child.stderr!.on("data", (d: Buffer) => log.push(`[${tag}] ${d}`));
      children.push(child);
      return child;
    };
    try {
      // Migrate and seed the demo campaign (2,000 items, routed, k = 3) the way `npm run db:seed` does.
      const seeded = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "seed.ts")], { env: { ...process.env, DATABASE_URL: url, DATABASE_DIRECT_URL: "" }, encoding: "utf8", timeout: 300_000 });
      expect(seeded.status, `${seeded.stdout}\n${seeded.stderr}`).toBe(0);
      const [campaign] = await sql<{ id: string; k: number }[]>`select id, k from campaigns where slug = ${SLUG}`;
      expect(campaign).toBeDefined();
      // Scarcity, so that contributors really compete: 150 open items × k = 3 is fewer slots than 200 × 4 requests.
      await sql`update items set routed = false where campaign_id = ${campaign!.id} and routed and id not in (
                  select id from items where campaign_id = ${campaign!.id} and routed and not k_reached and gold_answer is null order by id limit 150)`;

      // Contributors: a user, a membership (annotator) and an API key each; the key's SHA-256 is what is stored.
      const keys: string[] = [];
      for (let i = 0; i < CONTRIBUTORS; i++) {
        const key = `mgn_inst${String(i).padStart(4, "0")}_${randomBytes(32).toString("base64url")}`;
        keys.push(key);
        const [u] = await sql<{ id: string }[]>`insert into users (email, name, role) values (${`inst${i}@example.org`}, ${`Contributor ${i}`}, 'contributor') returning id`;
        await sql`insert into campaign_members (campaign_id, user_id, role) values (${campaign!.id}, ${u!.id}, 'annotator')`;
        await sql`insert into api_keys (user_id, name, prefix, key_hash) values (${u!.id}, 'instances', ${key.slice(0, 12)}, ${createHash("sha256").update(key).digest("hex")})`;
      }
      const researcherKey = `mgn_research_${randomBytes(32).toString("base64url")}`;
      await sql`insert into api_keys (user_id, name, prefix, key_hash) select id, 'instances', 'mgn_research', ${createHash("sha256").update(researcherKey).digest("hex")} from users where email = 'researcher@margin.demo'`;

      // Two app instances (the suite's production build) and two workers, all on this database.
      const secret = randomBytes(32).toString("base64url");
      const ports = [await freePort(), await freePort()];
      const appEnv = { ...process.env, DATABASE_URL: url, DATABASE_DIRECT_URL: "", NODE_ENV: "production" as const, AUTH_SECRET: secret, NEXTAUTH_SECRET: secret, HOSTNAME: "127.0.0.1" };
      const servers = ports.map((port, i) => run([path.join("scripts", "serve.mjs")], { ...appEnv, PORT: String(port), NEXTAUTH_URL: `http://127.0.0.1:${port}` }, `app${i}`));
      for (let i = 0; i < 2; i++) run(["--import", "tsx", path.join("scripts", "worker.ts")], appEnv, `worker${i}`);
      const bases = ports.map((p) => `http://127.0.0.1:${p}`);
      await Promise.all(bases.map((b, i) => waitHealthy(b, servers[i]!, log)));

      // Each contributor: next item, then submit ratings (the answer carries the next item), as the rating page does.
      const statuses = new Map<number, number>();
      const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
      let submitted = 0;
      await Promise.all(
        keys.map(async (key, i) => {
          const at = bases[i % 2]!;
          const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
          const first = await fetch(`${at}/api/campaigns/${SLUG}/assignments/next`, { method: "POST", headers });
          count(first.status);
          if (!first.ok) return;
          let item = ((await first.json()) as { item: { assignmentId: number } | null }).item;
          for (let r = 0; r < RATINGS_EACH && item; r++) {
            const res = await fetch(`${at}/api/campaigns/${SLUG}/judgments`, { method: "POST", headers, body: JSON.stringify({ assignmentId: item.assignmentId, value: 1 + ((i + r) % 5) }) });
            count(res.status);
            if (!res.ok) return;
            submitted++;
            item = ((await res.json()) as { next: { assignmentId: number } | null }).next;
          }
        }),
      );
      const unexpected = [...statuses].filter(([s]) => s !== 200);
      expect(unexpected, `answers other than 200: ${JSON.stringify(unexpected)}`).toEqual([]);
      expect(submitted).toBeGreaterThan(CONTRIBUTORS);

      const doubles = await sql`select item_id, annotator_id, count(*)::int as n from judgments where campaign_id = ${campaign!.id} group by item_id, annotator_id having count(*) > 1`;
      expect(doubles, "(item, annotator) pairs judged twice").toHaveLength(0);
      const overK = await sql`select j.item_id, j.item_version, count(*)::int as n from judgments j where j.campaign_id = ${campaign!.id} group by j.item_id, j.item_version having count(*) > ${campaign!.k}`;
      expect(overK, "item versions with more than k judgments").toHaveLength(0);
      const overKWithLeases = await sql`
        select i.id, (select count(*) from judgments j where j.item_id = i.id and j.item_version = i.version)
                   + (select count(*) from assignments a where a.item_id = i.id and a.status = 'leased' and a.expires_at > now()) as n
        from items i where i.campaign_id = ${campaign!.id}
          and (select count(*) from judgments j where j.item_id = i.id and j.item_version = i.version)
            + (select count(*) from assignments a where a.item_id = i.id and a.status = 'leased' and a.expires_at > now()) > ${campaign!.k}`;
      expect(overKWithLeases, "items whose live leases plus judgments exceed k").toHaveLength(0);

      // A re-route asked of one instance runs on a worker; the other instance reads the same status from the database.
      const runsBefore = (await sql<{ n: number }[]>`select count(*)::int as n from routing_runs where campaign_id = ${campaign!.id}`)[0]!.n;
      const researcher = { authorization: `Bearer ${researcherKey}` };
      const posted = await fetch(`${bases[0]}/api/v1/campaigns/${campaign!.id}/routing`, { method: "POST", headers: researcher });
      expect(posted.status).toBe(202);
      await expect
        .poll(async () => ((await (await fetch(`${bases[1]}/api/v1/campaigns/${campaign!.id}/routing`, { headers: researcher })).json()) as { status: { state: string } }).status.state, { timeout: 180_000, intervals: [500] })
        .toBe("idle");
      const runsAfter = (await sql<{ n: number }[]>`select count(*)::int as n from routing_runs where campaign_id = ${campaign!.id}`)[0]!.n;
      expect(runsAfter).toBe(runsBefore + 1);
      const [state] = await sql<{ state: string; worker: string | null }[]>`select state, worker from job_states where kind = 'routing' and key = ${campaign!.id}`;
      expect(state?.state).toBe("finished");
      expect(state?.worker).toBeTruthy();
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once("exit", r)) : null)));
      await sql.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
}
