// npm run bench -- browse [--items 1000000 --routed 100000 --queries 200 --import 100000 --http true --keep true]
// The item browser (lib/browse, db/queries/browse.ts) on a campaign generated with set-based SQL: p95 of 200
// random single-facet filters and 200 random two-facet filters, each a first page and the next page through its
// cursor, through the function the API route calls (browseItemsStrict: parse, page query, capped count); the same
// facets under the other sort keys; with --http, real HTTP calls to the production build (`npm run build` first)
// served on the bench database; and what the browse indexes cost writes (an import and a routing write of --import
// items with and without them). Target: p95 < 300 ms.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { sql } from "drizzle-orm";
import fs from "node:fs";
import { rowsOf, type Db } from "@/db";
import { migrationsFolder } from "@/db/client";
import type { BrowseCampaign } from "@/db/queries/browse";
import { writeRouting } from "@/db/queries/routing";
import { campaigns, routingRuns, users, type Campaign } from "@/db/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { browseCampaign, browseItemsStrict } from "@/lib/browse";
import { importItems } from "@/lib/ingest/import-items";
import { mulberry32 } from "@/lib/random";
import { defaultRoutingPolicy } from "@/lib/validation/campaign";
import { freshDatabase, log, num, percentile } from "./lib";

/**
 * A campaign of `nItems` items shaped like a real one: a Zipf-like stratification key `g` (and 40 rare groups on
 * the tail), metadata with five other keys (one present on 1% of items only), continuous tail scores and
 * confidences, routing as lib/routing writes it (tail and unsure items π = 1, a control sample π = p, a budgeted
 * slice with π in (0, 1)), k = 3 ratings on every routed item, flags on 0.2% of items and a second version on 0.5%.
 */
export async function generateBrowseCampaign(db: Db, opts: { items: number; routed: number }): Promise<{ campaign: Campaign; raters: string[] }> {
  const nItems = opts.items;
  const people = await db
    .insert(users)
    .values(Array.from({ length: 4 }, (_, i) => ({ email: `browse${i}@margin.test`, name: `browse ${i}`, role: "researcher" as const })))
    .returning({ id: users.id });
  const [c] = await db
    .insert(campaigns)
    .values({ slug: "browse", name: "Browse", rubric: { type: "likert", min: 1, max: 5 }, k: 3, routingPolicy: defaultRoutingPolicy, ownerId: people[0]!.id, status: "active", stratificationKey: "g" })
    .returning();
  const campaign = c!;
  const controlRate = Math.max(0.001, (opts.routed * 0.5) / nItems);
  // As a restore would: the item browser's indexes are dropped for the bulk insert and built again after it (from
  // their migration), and the set-based statements run without the app's statement timeout.
  const browseDdl = fs
    .readFileSync(path.join(migrationsFolder, fs.readdirSync(migrationsFolder).find((f) => f.endsWith("_item_browser.sql"))!), "utf8")
    .split("--> statement-breakpoint")
    .map((x) => x.trim())
    .filter(Boolean);
  for (const name of BROWSE_INDEXES) await db.execute(sql.raw(`drop index if exists ${name}`));
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local statement_timeout = 0`);
    await tx.execute(sql`select setseed(0.42)`);
    await tx.execute(sql`
      insert into items (campaign_id, external_id, input, output, metadata, "group", judge_score, judge_confidence, judge_rationale,
                         tail_score, routed, inclusion_prob, route_reason, priority, version, updated_at)
      select ${campaign.id}, 'b' || lpad(i::text, 7, '0'), 'question ' || i, 'output ' || i,
             jsonb_build_object('g', g, 'source', (array['web','book','chat','code','forum'])[1 + (i * 7) % 5], 'turns', 1 + (i * 13) % 10,
                                'split', case when i % 10 = 0 then 'test' else 'train' end, 'lang', 'l' || least(29, floor(-ln(1 - random()) * 5)::int))
               || case when i % 100 = 0 then jsonb_build_object('reviewer', 'r' || (i / 100) % 50) else '{}'::jsonb end,
             g, to_jsonb(js), conf, 'rationale ' || i,
             tail, routed, pi, reason, case when routed then 1 + tail else 0 end, case when i % 200 = 0 then 2 else 1 end,
             now() - (random() * interval '60 days')
      from (
        select i, tail_item,
               case when tail_item then 'rare' || (i % 40) else 'g' || least(20, floor(-ln(1 - random()) * 4)::int) end as g,
               1 + floor(random() * 5)::int as js,
               case when i % 97 = 0 then null else round(random()::numeric, 3)::float8 end as conf,
               case when tail_item then 0.9 + round((random() * 0.1)::numeric, 4)::float8 else round((random() * 0.9)::numeric, 4)::float8 end as tail,
               tail_item or draw < ${controlRate} or (i % 50 = 7 and draw < 0.5) as routed,
               case when tail_item then 1.0 when i % 50 = 7 then 0.5 + (i % 1000) / 2000.0 else ${controlRate} end as pi,
               case when tail_item then 'tail'::route_reason when i % 50 = 7 and draw < 0.5 then 'active'::route_reason when draw < ${controlRate} then 'control'::route_reason end as reason
        from (select i, i % ${Math.max(1, Math.round(nItems / (opts.routed * 0.5)))} = 0 as tail_item, random() as draw from generate_series(1, ${nItems}) i) s
      ) x`);
  });
  // Three ratings per routed item around the judge's score (one point lower on the tail), on the current version.
  const raters = people.slice(1).map((p) => p.id);
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local statement_timeout = 0`);
    await tx.execute(sql`
      insert into judgments (campaign_id, item_id, annotator_id, value, item_version, created_at, updated_at)
      select i.campaign_id, i.id, a.id,
             to_jsonb(greatest(1, least(5, (i.judge_score)::text::int - case when i.route_reason = 'tail' then 1 else 0 end + (floor(random() * 3)::int - 1)))),
             i.version, i.updated_at, i.updated_at
      from items i cross join unnest(${sql.raw(`array[${raters.map((x) => `'${x}'::uuid`).join(",")}]`)}) as a(id)
      where i.campaign_id = ${campaign.id} and i.routed`);
    await tx.execute(sql`update items set judgment_count = 3, k_reached = true where campaign_id = ${campaign.id} and routed`);
    await tx.execute(sql`
      insert into item_versions (item_id, version, campaign_id, content_hash, input, output, judge_score, judge_confidence)
      select id, 1, campaign_id, 'old', 'old question', 'old output', judge_score, judge_confidence from items where campaign_id = ${campaign.id} and version = 2`);
    // Flags on 0.2% of items, every other one still open.
    await tx.execute(sql`
      insert into flags (campaign_id, item_id, user_id, reason, status)
      select campaign_id, id, ${raters[0]!}, 'broken', case when (id / 500) % 2 = 0 then 'open'::flag_status else 'resolved'::flag_status end
      from items where campaign_id = ${campaign.id} and id % 500 in (3, 4)`);
    const [run] = await tx
      .insert(routingRuns)
      .values({ campaignId: campaign.id, seed: "browse", policy: defaultRoutingPolicy, policyVersion: 1, itemsTotal: nItems, itemsRouted: opts.routed })
      .returning({ id: routingRuns.id });
    await tx.execute(sql`
      insert into inclusion_records (run_id, item_id, item_version, "group", tail, confidence, judged, route_pi, u, routed, prior_pi, in_sample, pi, reason)
      select ${run!.id}, id, version, "group", tail_score, judge_confidence, true, inclusion_prob, random(), routed, null, routed, inclusion_prob, route_reason::text
      from items where campaign_id = ${campaign.id}`);
    for (const ddl of browseDdl) await tx.execute(sql.raw(ddl));
  });
  await db.execute(sql`vacuum analyze`);
  return { campaign, raters };
}

// ---------------------------------------------------------------------------------------------------------------
// The measurement.

type Facet = { kind: string; query: string };
const pick = <T,>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

/** A random value of one facet kind, as the API's query string (rare, common and absent values alike). */
function facetOf(kind: string, rand: () => number, groups: string[]): Facet {
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const range = () => {
    const lo = r2(rand() * 0.95);
    const form = rand();
    if (form < 0.2) return `${lo}..`;
    if (form < 0.3) return `..${Math.max(0.01, lo)}`;
    return `${lo}..${r2(Math.min(1, lo + 0.01 + rand() * 0.3))}`;
  };
  const q = (() => {
    switch (kind) {
      case "group": return `meta.g=${encodeURIComponent(rand() < 0.05 ? "no-such-group" : pick(rand, groups))}`;
      case "meta_common": return pick(rand, [`meta.source=${pick(rand, ["web", "book", "chat", "code", "forum"])}`, `meta.split=${pick(rand, ["train", "test"])}`, `meta.turns=${1 + Math.floor(rand() * 10)}`]);
      case "meta_zipf": return `meta.lang=l${Math.floor(rand() * 32)}`;
      case "meta_rare": return rand() < 0.1 ? "meta.nokey=x" : `meta.reviewer=r${Math.floor(rand() * 60)}`;
      case "tail": return `tail=${rand() < 0.05 ? "none" : range()}`;
      case "pi": {
        const lo = r2(0.5 + rand() * 0.4);
        return `pi=${pick(rand, ["1", "..1", "none", "0.05", `${lo}..${r2(lo + 0.05 + rand() * 0.05)}`, range()])}`;
      }
      case "confidence": return `confidence=${rand() < 0.05 ? "none" : range()}`;
      case "reason": return `reason=${pick(rand, ["tail", "low_confidence", "control", "active", "escalate", "prior_labels", "gold", "none"])}`;
      case "judge": return `judge=${pick(rand, ["1", "2", "3", "4", "5", "none"])}`;
      case "consensus": return `consensus=${pick(rand, ["1", "2", "3", "4", "5", "none"])}`;
      case "agree": return `agree=${pick(rand, ["yes", "no"])}`;
      case "flags": return `flags=${pick(rand, ["open", "any"])}`;
      case "changed": return `changed=${pick(rand, ["yes", "no"])}`;
      default: throw new Error(kind);
    }
  })();
  return { kind, query: q };
}
const KINDS = ["group", "meta_common", "meta_zipf", "meta_rare", "tail", "pi", "confidence", "reason", "judge", "consensus", "agree", "flags", "changed"];

type Timing = { kind: string; query: string; page: 1 | 2; ms: number; rows: number };
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { n: s.length, p50_ms: r(percentile(s, 50)), p95_ms: r(percentile(s, 95)), p99_ms: r(percentile(s, 99)), max_ms: r(s.at(-1) ?? NaN) };
};

/** First page and the page after it, through the API's own function (parse, query, count), each call timed. */
async function timePages(db: Db, bc: BrowseCampaign, f: Facet): Promise<Timing[]> {
  const out: Timing[] = [];
  let t = performance.now();
  const first = await browseItemsStrict(db, bc, new URLSearchParams(f.query));
  out.push({ kind: f.kind, query: f.query, page: 1, ms: performance.now() - t, rows: first.rows.length });
  if (first.nextCursor) {
    t = performance.now();
    const second = await browseItemsStrict(db, bc, new URLSearchParams(`${f.query}&cursor=${first.nextCursor}`));
    out.push({ kind: f.kind, query: f.query, page: 2, ms: performance.now() - t, rows: second.rows.length });
  }
  return out;
}

async function runSet(db: Db, bc: BrowseCampaign, filters: Facet[], group: (kind: string) => string = (k) => k) {
  const timings: Timing[] = [];
  for (const f of filters) timings.push(...(await timePages(db, bc, f)));
  const byKind: Record<string, ReturnType<typeof summary>> = {};
  for (const k of new Set(timings.map((x) => group(x.kind)))) byKind[k] = summary(timings.filter((x) => group(x.kind) === k).map((x) => x.ms));
  const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5).map((x) => ({ query: x.query, page: x.page, ms: Math.round(x.ms) }));
  return { filters: filters.length, calls: timings.length, ...summary(timings.map((x) => x.ms)), by_kind: byKind, slowest };
}

/** Import `n` rows into a new campaign through the real import path; seconds. */
async function importSeconds(db: Db, ownerId: string, slug: string, n: number): Promise<{ seconds: number; campaignId: string }> {
  const [c] = await db.insert(campaigns).values({ slug, name: slug, rubric: { type: "likert", min: 1, max: 5 }, routingPolicy: defaultRoutingPolicy, ownerId, stratificationKey: "language" }).returning();
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({ external_id: `imp-${i}`, input: `question ${i} about something`, output: `an answer of some length for item ${i}`, judge_score: 1 + (i % 5), judge_confidence: (i % 1000) / 1000, metadata: { language: `l${i % 12}`, source: ["web", "book"][i % 2], turns: i % 7 } }));
  }
  const body = Readable.from([Buffer.from(lines.join("\n"))]);
  const t = performance.now();
  const s = await importItems(db, c!, body, { format: "jsonl", actorId: ownerId, maxBytes: 2 ** 31, batchSize: 5000 });
  if (s.rowsNew !== n) throw new Error(`import wrote ${s.rowsNew} of ${n}`);
  return { seconds: (performance.now() - t) / 1000, campaignId: c!.id };
}

/** A routing write that changes every item's tail score, reason and π (writeRouting in batches, as routing does); seconds. */
async function routingWriteSeconds(db: Db, campaignId: string): Promise<number> {
  const ids = rowsOf<{ id: number | string }>(await db.execute(sql`select id from items where campaign_id = ${campaignId} order by id`)).map((r) => Number(r.id));
  const t = performance.now();
  await db.transaction(async (tx) => {
    for (let s = 0; s < ids.length; s += 5000) {
      await writeRouting(tx as unknown as Db, campaignId, ids.slice(s, s + 5000).map((id, j) => ({ id, tail: ((id * 7919 + j) % 1000) / 1000, routed: id % 10 === 0, pi: id % 10 === 0 ? 1 : 0.1, reason: id % 10 === 0 ? "tail" : null, priority: id % 10 === 0 ? 1.5 : 0 })));
    }
  });
  return (performance.now() - t) / 1000;
}

const BROWSE_INDEXES = ["items_browse_id_idx", "items_browse_group_idx", "items_browse_tail_idx", "items_browse_confidence_idx", "items_browse_reason_idx", "items_browse_judge_idx", "items_browse_changed_idx", "items_browse_metadata_idx"];

/** A few real HTTP calls to the production build (`npm run build` first), served on this bench database. */
async function httpCalls(dbUrl: string, apiKey: string, campaignId: string, filters: Facet[]) {
  const port = 3000 + Math.floor(Math.random() * 900) + 2100;
  const secret = randomBytes(32).toString("base64url");
  // Under the build lock the e2e suite takes (tests/e2e: `flock /tmp/margin-next.lock`), so no build replaces .next
  // while this server reads it; its own process group, so stopping it stops the server too.
  const server = spawn("flock", ["/tmp/margin-next.lock", process.execPath, path.join(process.cwd(), "scripts", "serve.mjs")], {
    env: { ...process.env, DATABASE_URL: dbUrl, PORT: String(port), HOSTNAME: "127.0.0.1", NODE_ENV: "production", AUTH_SECRET: secret, NEXTAUTH_SECRET: secret, NEXTAUTH_URL: `http://127.0.0.1:${port}` },
    stdio: "ignore",
    detached: true,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    // Up to 10 minutes: a build may hold the lock.
    for (let i = 0; i < 1200; i++) {
      if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const get = async (q: string) => {
      const t = performance.now();
      const res = await fetch(`${base}/api/v1/campaigns/${campaignId}/items?${q}`, { headers: { authorization: `Bearer ${apiKey}` } });
      const body = (await res.json()) as { next_cursor?: string | null };
      if (res.status !== 200) throw new Error(`HTTP ${res.status} for ${q}: ${JSON.stringify(body)}`);
      return { ms: performance.now() - t, next: body.next_cursor ?? null };
    };
    for (const f of filters.slice(0, 5)) await get(f.query); // warm-up: the first requests compile and connect
    const ms: number[] = [];
    for (const f of filters) {
      const a = await get(f.query);
      ms.push(a.ms);
      if (a.next) ms.push((await get(`${f.query}&cursor=${a.next}`)).ms);
    }
    const bad = await fetch(`${base}/api/v1/campaigns/${campaignId}/items?colour=red`, { headers: { authorization: `Bearer ${apiKey}` } });
    return { ...summary(ms), unknown_facet_status: bad.status };
  } finally {
    try {
      process.kill(-server.pid!, "SIGTERM");
    } catch {
      server.kill("SIGTERM");
    }
  }
}

export default async function bench(flags: Record<string, string>) {
  const nItems = num(flags, "items", 1_000_000);
  const nRouted = num(flags, "routed", 100_000);
  const nQueries = num(flags, "queries", 200);
  const nImport = num(flags, "import", 100_000);
  const db = await freshDatabase(4);
  const rand = mulberry32(num(flags, "seed", 7));
  try {
    const t0 = performance.now();
    const { campaign, raters } = await generateBrowseCampaign(db.db, { items: nItems, routed: nRouted });
    const counts = rowsOf<{ items: number; judgments: number; flags: number; changed: number }>(
      await db.db.execute(sql`select (select count(*) from items)::int as items, (select count(*) from judgments)::int as judgments, (select count(*) from flags)::int as flags, (select count(*) from items where version > 1)::int as changed`),
    )[0]!;
    log(`generated ${JSON.stringify(counts)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const bc = browseCampaign(campaign);
    const groups = rowsOf<{ g: string }>(await db.db.execute(sql`select distinct "group" as g from items where campaign_id = ${campaign.id}`)).map((r) => r.g);

    const single = Array.from({ length: nQueries }, () => facetOf(pick(rand, KINDS), rand, groups));
    const double = Array.from({ length: nQueries }, () => {
      const a = pick(rand, KINDS);
      let b = pick(rand, KINDS);
      while (b === a) b = pick(rand, KINDS);
      const [fa, fb] = [facetOf(a, rand, groups), facetOf(b, rand, groups)];
      // Two metadata facets on the same key would be one facet given twice (a 400): keep the first.
      const same = fa.query.split("=")[0] === fb.query.split("=")[0];
      return { kind: `${a}+${b}`, query: same ? fa.query : `${fa.query}&${fb.query}` };
    });
    const SORTS = ["external_id", "tail", "confidence", "judgments", "updated"];
    const sorted = Array.from({ length: Math.round(nQueries / 2) }, () => {
      const f = facetOf(pick(rand, KINDS), rand, groups);
      const sort = pick(rand, SORTS);
      return { kind: `sort:${sort}`, query: `${f.query}&sort=${sort}&dir=${pick(rand, ["asc", "desc"])}`, facet: f.kind };
    });

    // Warm-up (not counted): buffers and plans, as a server that has been answering for a while has them.
    for (const f of Array.from({ length: 20 }, () => facetOf(pick(rand, KINDS), rand, groups))) await timePages(db.db, bc, f);
    const load0 = os.loadavg()[0]!;
    log("single-facet filters…");
    const singleRes = await runSet(db.db, bc, single);
    log(`single: p95 ${singleRes.p95_ms} ms`);
    log("two-facet filters…");
    const doubleRes = await runSet(db.db, bc, double, (k) => (/consensus|agree/.test(k) ? "with consensus or agree" : "indexed facets only"));
    log(`two facets: p95 ${doubleRes.p95_ms} ms`);
    log("single facets under the other sort keys…");
    const sortedRes = await runSet(db.db, bc, sorted);
    log(`sorted: p95 ${sortedRes.p95_ms} ms`);
    // The same, without the facets that aggregate ratings (consensus, agreement): what the indexes answer.
    const nonConsensus = sorted.filter((f) => f.facet !== "consensus" && f.facet !== "agree");
    const sortedIndexed = await runSet(db.db, bc, nonConsensus.filter((f) => !/sort=(judgments|updated)/.test(f.query)));

    let http: Record<string, unknown> | null = null;
    if (flags.http === "true") {
      log("HTTP calls to the production build…");
      const { key } = await createApiKey(db.db, { userId: campaign.ownerId, name: "bench" });
      http = await httpCalls(db.url, key, campaign.id, single.slice(0, num(flags, "http-calls", 20)));
      log(`HTTP: p95 ${http.p95_ms} ms`);
    }

    const sizes = rowsOf<{ name: string; mb: number }>(
      await db.db.execute(sql`select c.relname as name, round(pg_relation_size(c.oid) / 1048576.0)::int as mb from pg_class c where c.relname like 'items%' and c.relkind in ('r', 'i') order by 1`),
    );
    let writes: Record<string, number> | null = null;
    if (nImport > 0) {
      log(`write cost of the browse indexes: import and re-route ${nImport} items with and without them…`);
      const withIdx = await importSeconds(db.db, campaign.ownerId, "with-indexes", nImport);
      const routeWith = await routingWriteSeconds(db.db, withIdx.campaignId);
      for (const name of BROWSE_INDEXES) await db.db.execute(sql.raw(`drop index ${name}`));
      const without = await importSeconds(db.db, campaign.ownerId, "without-indexes", nImport);
      const routeWithout = await routingWriteSeconds(db.db, without.campaignId);
      const r2 = (x: number) => Math.round(x * 100) / 100;
      writes = { import_rows: nImport, import_with_s: r2(withIdx.seconds), import_without_s: r2(without.seconds), routing_write_with_s: r2(routeWith), routing_write_without_s: r2(routeWithout) };
      log(JSON.stringify(writes));
    }
    void raters;
    return {
      items: counts.items,
      judgments: counts.judgments,
      flags: counts.flags,
      changed_items: counts.changed,
      target_p95_ms: 300,
      single_facet: singleRes,
      two_facets: doubleRes,
      other_sorts: sortedRes,
      other_sorts_indexed_only: { ...sortedIndexed, note: "tail, confidence and external_id sorts, facets other than consensus and agree" },
      http,
      writes,
      relation_mb: Object.fromEntries(sizes.map((s) => [s.name, Number(s.mb)])),
      load_avg_1m: Math.round(load0 * 100) / 100,
    };
  } finally {
    if (flags.keep !== "true") await db.drop();
    else await db.close();
  }
}
