import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { getDb, rowsOf } from "@/db";
import { auditEvents, campaigns, exports, externalRaters, items, judgments, users } from "@/db/schema";
import { seedDemo } from "@/db/seed";
import { downloadResponse } from "@/lib/export/http";
import { judgmentsExport } from "@/lib/export/kinds/judgments";
import { streamKindExport } from "@/lib/export/service";
import { backends, useAppDatabase } from "./backends";

const session: { current: { user: { id: string } } | null } = { current: null };
vi.mock("next-auth", async (importOriginal) => ({ ...(await importOriginal<Record<string, unknown>>()), getServerSession: vi.fn(async () => session.current) }));

type Route = { GET: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> };
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe.each(backends())("exports on $name", (backend) => {
  let drop: () => Promise<void> = async () => {};
  let campaignId = "";
  let auditorId = "";
  let route: Route;
  const get = async (kind: string, query = "", as = auditorId) => {
    session.current = { user: { id: as } };
    return route.GET(new Request(`http://localhost/x${query}`, { headers: { host: "localhost" } }), { params: Promise.resolve({ id: campaignId, kind }) });
  };
  const body = async (res: Response) => new Uint8Array(await res.arrayBuffer());

  beforeAll(async () => {
    drop = await useAppDatabase(backend);
    const db = await getDb();
    ({ campaignId } = await seedDemo(db, { items: 120 }));
    auditorId = (await db.select({ id: users.id }).from(users).where(eq(users.email, "auditor@margin.demo")))[0]!.id;
    // An imported rater whose "pseudonym" is an email address must not leak either.
    const [rater] = await db.insert(externalRaters).values({ campaignId, pseudonym: "leaky@example.org" }).returning();
    const [item] = await db.select({ id: items.id }).from(items).where(eq(items.campaignId, campaignId)).limit(1);
    await db.insert(judgments).values({ campaignId, itemId: item!.id, externalRaterId: rater!.id, value: 3, source: "import", rationale: "=HYPERLINK(\"http://evil\")" });
    route = (await import("@/app/api/v1/campaigns/[id]/exports/[kind]/route")) as unknown as Route;
  });
  afterAll(async () => {
    await drop();
  });

  it("exports items as CSV with the database's row count, a recorded sha256 and the same sha256 on re-export", async () => {
    const db = await getDb();
    const res = await get("items", "?format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("multilingual-helpfulness-items.csv");
    const bytes = await body(res);
    const [{ n }] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from items where campaign_id = ${campaignId}`)) as [{ n: number }];
    const text = new TextDecoder().decode(bytes);
    expect(text.split("\n")[0]).toBe("external_id,input,output,output_b,model,group,metadata,judge_score,judge_confidence,judge_rationale,tail_score,routed,route_reason,inclusion_prob,provided_tail_score,version,content_hash,gold,gold_answer,label_pi");
    const [row] = await db.select().from(exports).where(eq(exports.id, res.headers.get("x-export-id")!));
    expect(row).toMatchObject({ kind: "items", format: "csv", rowCount: n, sha256: sha(bytes), userId: auditorId });
    const manifest = row!.manifest as { files: { rows: number; sha256: string }[]; requester: { userId: string }; freshness: { source: string; replayedAt: string | null } };
    expect(manifest.files[0]).toMatchObject({ rows: n, sha256: sha(bytes) });
    // Read through the run's replica when it has one (backends.ts useAppDatabase), and the manifest says so.
    expect(manifest.freshness.source).toBe(process.env.REPORTS_DATABASE_URL ? "replica" : "primary");
    expect(manifest.freshness.replayedAt === null).toBe(!process.env.REPORTS_DATABASE_URL);
    expect(manifest.requester.userId).toBe(auditorId);
    expect(sha(await body(await get("items", "?format=csv")))).toBe(sha(bytes));
    const audits = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "export.create"), eq(auditEvents.targetId, row!.id)));
    expect(audits).toHaveLength(1);
  });

  it("exports judgments as JSONL with provenance and pseudonyms, never emails or names", async () => {
    const db = await getDb();
    const text = new TextDecoder().decode(await body(await get("judgments", "?format=jsonl")));
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const [{ n }] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from judgments where campaign_id = ${campaignId}`)) as [{ n: number }];
    expect(lines).toHaveLength(n);
    const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    expect(lines[0]).toMatchObject({ campaign_id: campaignId, guidelines_version: 1, rubric: c!.rubric, routing_policy_version: c!.routingPolicyVersion, routing_seed: c!.routingSeed });
    for (const l of lines) expect(String(l.annotator)).toMatch(/^(a|x)_[0-9a-f]{16}$/);
    const people = await db.select({ email: users.email, name: users.name }).from(users);
    for (const p of people) {
      expect(text).not.toContain(p.email);
      expect(text).not.toContain(`"${p.name}"`);
    }
    expect(text).not.toContain("leaky@example.org");
    // Pseudonyms are stable across exports.
    expect(sha(new TextEncoder().encode(new TextDecoder().decode(await body(await get("judgments", "?format=jsonl")))))).toBe(sha(new TextEncoder().encode(text)));
  });

  it("neutralises formula cells in CSV", async () => {
    const text = new TextDecoder().decode(await body(await get("judgments", "?format=csv")));
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
  });

  it("writes Parquet that reads back with the same rows and a Content-Length", async () => {
    const db = await getDb();
    const res = await get("judgments", "?format=parquet");
    expect(res.status).toBe(200);
    const bytes = await body(res);
    expect(Number(res.headers.get("content-length"))).toBe(bytes.byteLength);
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({ file: buf });
    const [{ n }] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from judgments where campaign_id = ${campaignId}`)) as [{ n: number }];
    expect(rows).toHaveLength(n);
    expect(Number(parquetMetadata(buf).num_rows)).toBe(n);
    expect(rows[0]).toHaveProperty("inclusion_prob");
    expect(sha(await body(await get("judgments", "?format=parquet")))).toBe(sha(bytes));
  });

  it("bundles every kind with a manifest whose checksums match the single exports", async () => {
    const db = await getDb();
    const res = await get("bundle", "?format=csv");
    expect(res.status).toBe(200);
    const zip = await body(res);
    expect(String.fromCharCode(zip[0]!, zip[1]!)).toBe("PK");
    const [row] = await db.select().from(exports).where(eq(exports.id, res.headers.get("x-export-id")!));
    const files = (row!.manifest as { files: { kind: string; sha256: string }[] }).files;
    expect(files.map((f) => f.kind)).toEqual(["items", "judgments", "report", "design", "report"]);
    expect(files[0]!.sha256).toBe(sha(await body(await get("items", "?format=csv"))));
    expect(files[1]!.sha256).toBe(sha(await body(await get("judgments", "?format=csv"))));
    expect(files[2]!.sha256).toBe(sha(await body(await get("report", "?format=csv"))));
  });

  it("exports the report: one row per stratum with intervals, the same bytes for the same data", async () => {
    const res = await get("report", "?format=jsonl");
    expect(res.status).toBe(200);
    const bytes = await body(res);
    const rows = new TextDecoder().decode(bytes).trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const db = await getDb();
    const groups = rowsOf<{ n: number }>(await db.execute(sql`select count(distinct coalesce("group", '')) ::int as n from ${items} where campaign_id = ${campaignId}`))[0]!.n;
    expect(rows[0]).toMatchObject({ stratum_kind: "overall", stratum: expect.any(String), items: 120 });
    expect(rows.filter((r) => r.stratum_kind === "group")).toHaveLength(groups);
    expect(rows.filter((r) => r.stratum_kind === "bucket").length).toBeGreaterThan(0);
    for (const r of rows.filter((x) => x.enough_data && x.judge_agreement !== null)) {
      expect(r.judge_agreement_lower as number).toBeLessThanOrEqual(r.judge_agreement as number);
      expect(r.judge_agreement_upper as number).toBeGreaterThanOrEqual(r.judge_agreement as number);
    }
    expect(sha(await body(await get("report", "?format=jsonl")))).toBe(sha(bytes));
  });

  it("refuses unknown formats with the accepted list, and hides other people's campaigns", async () => {
    const bad = await get("items", "?format=xlsx");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { field: "format", message: expect.stringContaining("csv, jsonl, parquet") } });
    expect((await get("nope", "?format=csv")).status).toBe(404);
    const db = await getDb();
    const ada = (await db.select({ id: users.id }).from(users).where(eq(users.email, "ada@margin.demo")))[0]!.id;
    const res = await get("items", "?format=csv", ada);
    expect([403, 404]).toContain(res.status);
  });

  it("exports the filtered audit trail as CSV with formula cells neutralised, for auditors only", async () => {
    const db = await getDb();
    await db.insert(auditEvents).values({ actorId: auditorId, action: "export.create", targetType: "email", targetId: "=cmd|' /C calc'!A0" });
    const audit = (await import("@/app/api/v1/audit.csv/route")) as unknown as { GET: Route["GET"] };
    const call = async (who: string) => {
      session.current = { user: { id: who } };
      return audit.GET(new Request("http://localhost/api/v1/audit.csv?action=export.", { headers: { host: "localhost" } }), { params: Promise.resolve({}) });
    };
    const res = await call(auditorId);
    expect(res.status).toBe(200);
    const text = await res.text();
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("id,created_at,action,actor_id,actor_role,target_type,target_id,campaign_id,campaign_slug,ip,details");
    expect(lines.slice(1).every((l) => l.includes(",export.create,"))).toBe(true);
    expect(text).toContain("'=cmd|");
    expect(text).not.toContain("auditor@margin.demo");
    const ada = (await db.select({ id: users.id }).from(users).where(eq(users.email, "ada@margin.demo")))[0]!.id;
    expect((await call(ada)).status).toBe(403);
  });

  // On PostgreSQL the judgments CSV comes from COPY; it must be byte-for-byte what the keyset path writes.
  if (backend.name === "postgres") {
    it("writes the same judgments CSV through COPY as through the keyset path, awkward cells included", async () => {
      const db = await getDb();
      const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
      const targets = await db.select({ id: items.id }).from(items).where(eq(items.campaignId, campaignId)).orderBy(items.id).limit(10);
      await db.update(items).set({ model: "+model" }).where(eq(items.id, targets[0]!.id));
      await db.update(items).set({ model: null }).where(eq(items.id, targets[1]!.id));
      const awkward: { value: number | string; rationale: string | null }[] = [
        { value: 2, rationale: 'comma, "quotes" and\na newline' },
        { value: "A", rationale: "a lone\rcarriage return" },
        { value: -1, rationale: "" },
        { value: 4, rationale: null },
        { value: 5, rationale: "-minus @at +plus \ttab" },
        { value: 1, rationale: "\tleading tab" },
        { value: 3, rationale: "ünïcödé — 日本語 🙂" },
        { value: 'say "B"', rationale: "@SUM(A1)" },
        { value: -2, rationale: "\uff1dSUM(A1) fullwidth" },
        { value: -0.5, rationale: "\uff20x" },
      ];
      for (const [n, a] of awkward.entries()) {
        // Pseudonyms reach the COPY select as SQL literals: quotes and backslashes must survive.
        const [rater] = await db.insert(externalRaters).values({ campaignId, pseudonym: n === 0 ? `o'brien \\' "q" \\\\` : `awkward-${n}` }).returning();
        await db.insert(judgments).values({ campaignId, itemId: targets[n]!.id, externalRaterId: rater!.id, value: a.value, source: "import", rationale: a.rationale });
      }
      const { exportChunks } = await import("@/lib/export/encode");
      const collect = async (pgUrl: string | undefined) => {
        const stats = { rows: 0, bytes: 0, sha256: null as string | null };
        const parts: Uint8Array[] = [];
        for await (const chunk of exportChunks(judgmentsExport, "csv", { db, campaign: c!, secret: "test-secret", batchSize: 7, pgUrl }, stats)) parts.push(chunk);
        return { text: Buffer.concat(parts).toString("utf8"), stats };
      };
      const viaCopy = await collect(process.env.DATABASE_URL);
      const viaPages = await collect(undefined);
      // A read replica (REPORTS_DATABASE_URL) is read-only: the COPY path must not need to write anything.
      // (On the server itself: a PgBouncer in front, MARGIN_TEST_POOLER_URL, refuses startup parameters.)
      const readOnly = new URL(process.env.DATABASE_DIRECT_URL || process.env.DATABASE_URL!);
      readOnly.searchParams.set("default_transaction_read_only", "on");
      const viaReplica = await collect(readOnly.toString());
      expect(viaReplica.text).toBe(viaCopy.text);
      expect(viaCopy.text).toContain(`x_o'brien \\' ""q"" \\\\`);
      const [{ n }] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from judgments where campaign_id = ${campaignId}`)) as [{ n: number }];
      expect(viaCopy.stats.rows).toBe(n);
      expect(viaPages.stats.rows).toBe(n);
      expect(viaCopy.text).toBe(viaPages.text);
      expect(viaCopy.stats.sha256).toBe(viaPages.stats.sha256);
      expect(viaCopy.text).toContain("'@SUM(A1)");
      expect(viaCopy.text).toContain('"a lone\rcarriage return"');
      expect(viaCopy.text).not.toContain("leaky@example.org");
    });
  }

  it("leaves no open transaction or cursor when the client disconnects mid-stream", async () => {
    const db = await getDb();
    const [c] = await db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    const d = await streamKindExport({ campaign: c!, requesterId: auditorId, format: "csv", batchSize: 5 }, judgmentsExport);
    const reader = downloadResponse(d).body!.getReader();
    expect((await reader.read()).done).toBe(false);
    expect((await reader.read()).done).toBe(false);
    await reader.cancel();
    const [row] = await db.select().from(exports).where(eq(exports.id, d.exportId));
    expect(row!.sha256).toBeNull();
    if (backend.name === "postgres") {
      // The COPY connection is ended on cancel; the server notices and drops the backend.
      const copying = async () =>
        rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'copy (%' and pid <> pg_backend_pid()`))[0]!.n;
      for (let i = 0; i < 50 && (await copying()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await copying()).toBe(0);
      const open = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and (state like 'idle in transaction%' or backend_xid is not null) and pid <> pg_backend_pid()`));
      expect(open[0]!.n).toBe(0);
    }
    const cursors = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from pg_cursors where name <> ''`));
    expect(cursors[0]!.n).toBe(0);
    // The connection is still usable.
    expect(rowsOf<{ one: number }>(await db.execute(sql`select 1 as one`))[0]!.one).toBe(1);
  });
});
