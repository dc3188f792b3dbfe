// The fault-injection bench (`npm run bench -- faults`) at test sizes, through the route handlers in-process:
//  (a) the database connection cut under submitting contributors (a TCP proxy between the app and PostgreSQL that
//      the test closes and reopens; the shared server itself is never restarted): no 500, 503 + Retry-After while
//      down, every acknowledged judgment stored once, serving again after;
//  (b) an import interrupted mid-way (its body stream aborted; on PostgreSQL also a child process running an import
//      killed with SIGKILL during its write) leaves nothing visible, and the same import then completes;
//  (c) adversarial files (bench/faults/adversarial.ts) in both import modes: no 5xx, no partial write.
import net from "node:net";
import path from "node:path";
import fs from "node:fs";
import os from "node:os";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import postgres from "postgres";
import { eq, sql } from "drizzle-orm";
import { closeDb, getDb } from "@/db";
import { rowsOf } from "@/db/client";
import { imports, items } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { adversarialFile, adversarialKinds } from "@/bench/faults/adversarial";
import { backends, useAppDatabase } from "./backends";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const route = async (p: string) => (await import(p)).POST as unknown as Handler;

/** A researcher with an API key and `n` annotators with keys; returns the keys. */
async function people(n: number) {
  const db = await getDb();
  const [owner] = rowsOf<{ id: string }>(await db.execute(sql`insert into users (email, name, role) values (${`owner-${Math.random()}@t`}, 'Owner', 'researcher') returning id`));
  const ownerKey = (await createApiKey(db, { userId: owner!.id, name: "t" })).key;
  const annotators: { id: string; key: string }[] = [];
  for (let i = 0; i < n; i++) {
    const [u] = rowsOf<{ id: string }>(await db.execute(sql`insert into users (email, name) values (${`c${i}-${Math.random()}@t`}, 'C') returning id`));
    annotators.push({ id: u!.id, key: (await createApiKey(db, { userId: u!.id, name: "t" })).key });
  }
  return { ownerId: owner!.id, ownerKey, annotators };
}

async function campaign(ownerId: string, slug: string, opts: { items?: number; members?: string[] } = {}) {
  const db = await getDb();
  const [c] = rowsOf<{ id: string }>(await db.execute(sql`insert into campaigns (slug, name, rubric, k, routing_policy, status, owner_id)
    values (${slug}, ${slug}, ${JSON.stringify({ type: "likert", min: 1, max: 5 })}::jsonb, 2, ${JSON.stringify(defaultRoutingPolicy)}::jsonb, 'active', ${ownerId}) returning id`));
  if (opts.items) {
    await db.execute(sql`insert into items (campaign_id, external_id, input, output, judge_score, judge_confidence, routed, inclusion_prob, route_reason, priority)
      select ${c!.id}, 'i' || g, 'Q' || g, 'A' || g, '3'::jsonb, 0.1, true, 1, 'low_confidence'::route_reason, g from generate_series(1, ${opts.items}) g`);
  }
  for (const u of opts.members ?? []) await db.execute(sql`insert into campaign_members (campaign_id, user_id, role) values (${c!.id}, ${u}, 'annotator')`);
  return c!.id;
}

const importRequest = (campaignId: string, key: string, body: BodyInit, contentType: string, mode = "partial") =>
  new Request(`http://localhost/api/v1/campaigns/${campaignId}/items?mode=${mode}`, {
    method: "POST",
    headers: { host: "localhost", authorization: `Bearer ${key}`, "content-type": contentType },
    body,
    duplex: "half",
  } as RequestInit);

/** A TCP proxy the test can cut: close() destroys every connection and refuses new ones until open(). */
function cuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
      });
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (server) server.close(() => resolve());
      else resolve();
      server = null;
    });
  return { open, close, port: () => port };
}

const postgresBackend = backends().filter((b) => b.name === "postgres");

describe.each(postgresBackend)("the database connection cut under submitting contributors on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let direct!: postgres.Sql;
  let proxy!: ReturnType<typeof cuttableProxy>;
  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const real = new URL(process.env.DATABASE_URL!);
    direct = postgres(real.toString(), { max: 1, onnotice: () => {} });
    proxy = cuttableProxy({ host: real.hostname, port: Number(real.port || 5432) });
    await proxy.open();
    await closeDb();
    const via = new URL(real);
    via.port = String(proxy.port());
    process.env.DATABASE_URL = via.toString();
  });
  afterAll(async () => {
    await direct?.end();
    await closeDb();
    await proxy?.close();
    await drop();
  });

  it("answers 503 with Retry-After while the database is away (never 500), loses and doubles no acknowledged judgment, and serves again", async () => {
    if (!process.env.FAULTS_DEBUG) vi.spyOn(console, "error").mockImplementation(() => {});
    const { ownerId, annotators } = await people(8);
    const cid = await campaign(ownerId, "outage", { items: 200, members: annotators.map((a) => a.id) });
    const next = await route("@/app/api/campaigns/[slug]/assignments/next/route");
    const judge = await route("@/app/api/campaigns/[slug]/judgments/route");
    const statuses: number[] = [];
    const retryAfterMissing: number[] = [];
    const call = async (h: Handler, key: string, p: string, body: unknown) => {
      const res = await h(new Request(`http://localhost/api/campaigns/outage/${p}`, { method: "POST", headers: { host: "localhost", authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve({ slug: "outage" }) });
      statuses.push(res.status);
      if (process.env.FAULTS_DEBUG) console.log(p, res.status, res.status >= 400 ? (await res.clone().text()).slice(0, 120) : "");
      if (res.status === 503 && !res.headers.get("retry-after")) retryAfterMissing.push(res.status);
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const acked: string[] = [];
    let down = false;
    // Contributors that saw the outage (a 503 while the proxy was closed) or had finished.
    const done = new Set<string>();
    const sawOutage = (key: string) => {
      done.add(key);
      if (done.size === annotators.length) everyoneSawOutage();
    };
    let everyoneSawOutage!: () => void;
    const allSawOutage = new Promise<void>((r) => (everyoneSawOutage = r));
    // Each contributor rates `cycles` items; a submit that is not acknowledged is retried (same assignment), and
    // any answer other than 2xx while the database is away must be a 503.
    const contributor = async (key: string, cycles: number) => {
      let item: { assignmentId: string } | null = null;
      for (let c = 0; c < cycles; ) {
        if (!item) {
          const r = await call(next, key, "assignments/next", {});
          if (r.status === 503 && down) sawOutage(key);
          if (r.status !== 200) continue;
          item = r.json.item as { assignmentId: string };
          expect(item).not.toBeNull();
        }
        const r = await call(judge, key, "judgments", { assignmentId: item!.assignmentId, value: 1 + (c % 5) });
        if (r.status === 503 && down) sawOutage(key);
        if (r.status >= 200 && r.status < 300) {
          acked.push(String(r.json.judgmentId));
          item = (r.json.next as { assignmentId: string } | null) ?? null;
          c++;
        }
        // Pace the retries a little while the database is away (the answer says Retry-After).
        if (r.status === 503) await new Promise((res) => setTimeout(res, 20));
      }
      sawOutage(key);
    };
    const work = Promise.all(annotators.map((a) => contributor(a.key, 6)));
    // Cut once a third of the work is acknowledged; reopen when every contributor has seen a 503 (or finished).
    while (acked.length < annotators.length * 2) await new Promise((r) => setTimeout(r, 5));
    done.clear();
    down = true;
    await proxy.close();
    await allSawOutage;
    // /api/health names the dependency that is down, with a Retry-After; and recovers with the database.
    const { GET: health } = await import("@/app/api/health/route");
    const sick = await health();
    expect(sick.status).toBe(503);
    expect(sick.headers.get("retry-after")).toBeTruthy();
    expect(await sick.json()).toMatchObject({ ok: false, database: { ok: false } });
    await proxy.open();
    down = false;
    await work;
    const well = await health();
    expect(well.status).toBe(200);
    expect(await well.json()).toMatchObject({ ok: true, database: { ok: true } });

    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(annotators.length);
    expect(retryAfterMissing).toEqual([]);
    expect(acked).toHaveLength(annotators.length * 6);
    expect(new Set(acked).size).toBe(acked.length);
    const [stored] = await direct<{ n: number }[]>`select count(*)::int as n from judgments where id = any(${acked}::bigint[])`;
    expect(stored!.n).toBe(acked.length);
    const [all] = await direct<{ n: number; dup: number; overk: number }[]>`select
      (select count(*)::int from judgments where campaign_id = ${cid}) as n,
      (select count(*)::int from (select 1 from judgments where campaign_id = ${cid} group by item_id, item_version, annotator_id having count(*) > 1) d) as dup,
      (select count(*)::int from (select 1 from judgments where campaign_id = ${cid} group by item_id, item_version having count(*) > 2) d) as overk`;
    expect(all).toEqual({ n: acked.length, dup: 0, overk: 0 });
    // Serving again after the proxy reopened (the pool reconnected on its own).
    expect((await call(next, annotators[0]!.key, "assignments/next", {})).status).toBe(200);
  });
});

describe.each(backends())("imports interrupted and adversarial on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let post!: Handler;
  let owner!: { ownerId: string; ownerKey: string };
  const maxMb = process.env.MAX_UPLOAD_MB;
  beforeAll(async () => {
    process.env.MAX_UPLOAD_MB = "1";
    drop = await useAppDatabase(backend);
    owner = await people(0);
    post = await route("@/app/api/v1/campaigns/[id]/items/route");
  });
  afterAll(async () => {
    if (maxMb === undefined) delete process.env.MAX_UPLOAD_MB;
    else process.env.MAX_UPLOAD_MB = maxMb;
    const { stopRoutingQueue } = await import("@/lib/routing/schedule");
    await stopRoutingQueue();
    await drop();
  });
  const visible = async (cid: string) => {
    const db = await getDb();
    return { items: await db.$count(items, eq(items.campaignId, cid)), imports: await db.$count(imports, eq(imports.campaignId, cid)) };
  };
  const rows = (n: number) => Array.from({ length: n }, (_, i) => `${JSON.stringify({ id: `x-${i}`, output: `answer ${i}`, judge_score: 1 + (i % 5) })}\n`).join("");

  it("an upload aborted mid-way answers 400 and leaves nothing; the same import then completes", async () => {
    const cid = await campaign(owner.ownerId, `aborted-${backend.name}`);
    const file = Buffer.from(rows(3000));
    // The first half arrives, then the client goes away.
    let pulls = 0;
    const aborted = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(new Uint8Array(file.subarray(0, file.length / 2)));
        else controller.error(new Error("client went away"));
      },
    });
    const res = await post(importRequest(cid, owner.ownerKey, aborted, "application/x-ndjson"), { params: Promise.resolve({ id: cid }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/interrupted/);
    expect(await visible(cid)).toEqual({ items: 0, imports: 0 });
    const again = await post(importRequest(cid, owner.ownerKey, new Uint8Array(file), "application/x-ndjson"), { params: Promise.resolve({ id: cid }) });
    expect(again.status).toBe(201);
    expect(await visible(cid)).toEqual({ items: 3000, imports: 1 });
  });

  // A separate process and its own connection: PostgreSQL only (PGlite is one process's embedded database).
  if (backend.name === "postgres") it("an import process killed with SIGKILL during its write leaves nothing; the same import then completes", async () => {
    const cid = await campaign(owner.ownerId, `killed-${backend.name}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-kill-"));
    const file = path.join(dir, "rows.jsonl");
    fs.writeFileSync(file, rows(20_000));
    const direct = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const holder = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    await direct`insert into items (campaign_id, external_id, input, output) values (${cid}, 'x-10000', '', 'before')`;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const holding = holder.begin(async (tx) => {
      await tx`select id from items where campaign_id = ${cid} and external_id = 'x-10000' for update`;
      locked();
      await released;
    });
    await isLocked;
    try {
      // One process (tsx as a loader, not its CLI, which would run the script in a grandchild the kill misses).
      const child = spawn(process.execPath, ["--import", "tsx", path.join(process.cwd(), "tests", "integration", "fixtures", "import-child.ts"), cid, file], { stdio: ["ignore", "pipe", "inherit"], cwd: process.cwd(), env: process.env });
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      // Catch the child in the middle of its write: it blocks on the row of x-10000, which this test holds locked
      // (its first 50 batches are written by then; none of it is visible to anyone else).
      for (;;) {
        const [w] = await direct<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'`;
        if (w!.n > 0 || child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGKILL");
      await exited;
      release();
      await holding;
      expect(out).not.toContain("done");
      // The server notices the closed socket and rolls the transaction back, releasing the import lock (until then
      // an import of the campaign answers 409).
      for (;;) {
        const [w] = await direct<{ n: number }[]>`select count(*)::int as n from pg_locks
          where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`;
        if (w!.n === 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      // Only the item that was there before, as it was.
      expect(await visible(cid)).toEqual({ items: 1, imports: 0 });
      expect(await direct`select output from items where campaign_id = ${cid}`).toEqual([{ output: "before" }]);
      process.env.MAX_UPLOAD_MB = "50";
      const again = await post(importRequest(cid, owner.ownerKey, new Uint8Array(fs.readFileSync(file)), "application/x-ndjson"), { params: Promise.resolve({ id: cid }) }).finally(() => (process.env.MAX_UPLOAD_MB = "1"));
      expect(again.status).toBe(201);
      expect(await visible(cid)).toEqual({ items: 20_000, imports: 1 });
    } finally {
      release();
      await holding.catch(() => {});
      await holder.end();
      await direct.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("adversarial files in both modes: no 5xx and no partial write", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const n = adversarialKinds().length + 20;
    const problems: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const f = adversarialFile(7, i, { maxBytes: 2 ** 20, bigBytes: 600_000 });
      for (const mode of ["partial", "all-or-nothing"]) {
        const cid = await campaign(owner.ownerId, `fz-${backend.name}-${i}-${mode}`);
        const res = await post(importRequest(cid, owner.ownerKey, new Uint8Array(f.body), f.contentType, mode), { params: Promise.resolve({ id: cid }) });
        const v = await visible(cid);
        const db = await getDb();
        const succeeded = await db.$count(imports, sql`${imports.campaignId} = ${cid} and ${imports.status} in ('succeeded', 'partial')`);
        const partialWrite = res.status >= 400 && (v.items > 0 || succeeded > 0);
        if (res.status >= 500 || partialWrite) problems.push({ kind: f.kind, mode, status: res.status, ...v, body: (await res.text()).slice(0, 200) });
      }
    }
    expect(problems).toEqual([]);
  });
});
