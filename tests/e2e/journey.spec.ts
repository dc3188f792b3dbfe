// The full journey: a researcher creates a campaign and imports a file; routing runs; three contributors rate
// the routed items in their own browsers; an auditor reads the report, downloads the judgments CSV and its
// manifest, and the checksums and row counts are verified against the database.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import postgres from "postgres";
import { expect, test, type Browser, type Download, type Page } from "@playwright/test";
import { signIn } from "./helpers";

const EXAMPLE = fs.readFileSync(path.join(process.cwd(), "public/examples/items.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { human_ratings?: unknown[] });
const EXAMPLE_ROWS = EXAMPLE.length;
// The example carries some prior human ratings; they are imported as judgments and count toward k.
const PRIOR_RATINGS = EXAMPLE.reduce((n, r) => n + (r.human_ratings?.length ?? 0), 0);
const read = async (d: Download) => fs.readFileSync((await d.path())!);
const dbInfo = () => JSON.parse(fs.readFileSync(path.join(os.tmpdir(), `margin-e2e-${process.env.E2E_PORT ?? 3100}.json`), "utf8")) as { databaseUrl: string | null };

async function rateEverything(browser: Browser, email: string, slug: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  await page.goto(`/campaigns/${slug}`);
  await page.getByRole("link", { name: "Join and rate" }).click();
  await page.getByRole("button", { name: "Join and start rating" }).click();
  await expect(page.getByRole("heading", { name: /^Rate: / })).toBeVisible();
  await page.locator("[data-keys-ready]").waitFor();
  let rated = 0;
  const done = page.getByRole("heading", { name: "You are all caught up" });
  while (!(await done.isVisible())) {
    await expect(page.getByRole("region", { name: "Output" }).or(done)).toBeVisible();
    if (await done.isVisible()) break;
    await page.keyboard.press(String(1 + (rated % 5)));
    await page.keyboard.press("Enter");
    rated += 1;
    await expect(page.getByLabel("Progress")).toContainText(`${rated} rated by you`);
  }
  await context.close();
  return rated;
}

async function reportCounts(page: Page, slug: string) {
  const origin = new URL(page.url()).origin;
  const campaign = (await (await page.request.get(`/api/v1/campaigns/${slug}`, { headers: { origin } })).json()) as { campaign: { id: string } };
  const report = (await (await page.request.get(`/api/v1/campaigns/${campaign.campaign.id}/report`)).json()) as {
    overall: { counts: { items: number; routed: number; fullyJudged: number } };
  };
  return { id: campaign.campaign.id, ...report.overall.counts };
}

test("researcher → routing → three contributors → auditor: the evidence checks out", async ({ page, browser }) => {
  test.setTimeout(240_000);
  // 1. The researcher creates a public likert campaign, imports the example file and activates it.
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/new");
  const name = `Journey ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Guidelines (Markdown)").fill("Rate the answer from 1 (wrong) to 5 (excellent).");
  await page.getByLabel("Stratification key (metadata field)").fill("language");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.getByRole("heading", { name: "Import items" })).toBeVisible();
  const slug = new URL(page.url()).pathname.split("/")[2]!;
  await page.locator("form[data-ready]").waitFor();
  await page.getByLabel(/Items file/).setInputFiles(path.join(process.cwd(), "public/examples/items.jsonl"));
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByRole("region", { name: "Import report" }).getByRole("status").first()).toHaveText(`Imported ${EXAMPLE_ROWS} rows.`, { timeout: 30_000 });

  // 2. Routing runs in the background after the import; the overview shows it when done.
  await page.goto(`/campaigns/${slug}/overview`);
  await expect(page.getByRole("img", { name: "Routed items by reason" })).toBeVisible({ timeout: 60_000 });
  await page.goto(`/campaigns/${slug}/edit`);
  await page.getByRole("button", { name: "Activate" }).click();
  await expect(page.getByText("Campaign is now active.")).toBeVisible();
  const before = await reportCounts(page, slug);
  expect(before.items).toBe(EXAMPLE_ROWS);
  expect(before.routed).toBeGreaterThan(0);

  // 3. Three contributors, each in their own browser, rate every routed item (k = 3).
  const rated = [];
  for (const email of ["ada@margin.demo", "bayo@margin.demo", "chen@margin.demo"]) rated.push(await rateEverything(browser, email, slug));
  // The first contributor sees every routed item; later ones only what still needs ratings (prior labels count).
  expect(rated[0]).toBe(before.routed);
  expect(rated[1]).toBeLessThanOrEqual(before.routed);
  const judgmentsTotal = rated.reduce((a, b) => a + b, 0) + PRIOR_RATINGS;

  // 4. The auditor opens the report (tail-gap chart first) and downloads the judgments CSV and its manifest.
  const auditorContext = await browser.newContext();
  const auditor = await auditorContext.newPage();
  await signIn(auditor, "auditor@margin.demo");
  // A 48-item example is small: lower the minimum n so strata show figures instead of "not enough data".
  await auditor.goto(`/campaigns/${slug}/report?minN=5`);
  await expect(auditor.getByRole("figure", { name: "Tail-gap chart" })).toBeVisible();
  const after = await reportCounts(auditor, slug);
  expect(after.fullyJudged).toBe(before.routed);

  await auditor.goto(`/campaigns/${slug}/exports`);
  await auditor.getByLabel("What").selectOption("judgments");
  await auditor.getByLabel("Format").selectOption("csv");
  const [download] = await Promise.all([auditor.waitForEvent("download"), auditor.getByRole("button", { name: "Download" }).click()]);
  const csv = await read(download);
  const sha = createHash("sha256").update(csv).digest("hex");
  const rows = parse(csv, { columns: true }) as Record<string, string>[];
  expect(rows).toHaveLength(judgmentsTotal);
  expect(JSON.stringify(rows)).not.toContain("@margin.demo");
  // Three contributors plus the example's external raters, all pseudonymous.
  expect(new Set(rows.map((r) => r.annotator)).size).toBeGreaterThanOrEqual(3);

  const row = auditor.getByRole("row").filter({ hasText: sha.slice(0, 12) }).first();
  const [mdl] = await Promise.all([auditor.waitForEvent("download"), row.getByRole("link", { name: "Manifest" }).click()]);
  const manifest = JSON.parse((await read(mdl)).toString("utf8")) as { files: { rows: number; sha256: string }[] };
  expect(manifest.files).toEqual([expect.objectContaining({ rows: judgmentsTotal, sha256: sha })]);

  // 5. The database itself agrees (on PostgreSQL the test reads it directly; the embedded database belongs to
  //    the server process, so there the report API's independent SQL counts stand in).
  const { databaseUrl } = dbInfo();
  if (databaseUrl) {
    const sql = postgres(databaseUrl, { max: 1 });
    try {
      const [counts] = await sql<{ items: number; judgments: number }[]>`
        select (select count(*)::int from items where campaign_id = ${after.id}) as items,
               (select count(*)::int from judgments where campaign_id = ${after.id}) as judgments`;
      expect(counts).toEqual({ items: EXAMPLE_ROWS, judgments: judgmentsTotal });
      const [exp] = await sql<{ sha256: string; row_count: number }[]>`select sha256, row_count from exports where campaign_id = ${after.id} order by created_at desc limit 1`;
      expect(exp).toEqual({ sha256: sha, row_count: judgmentsTotal });
    } finally {
      await sql.end();
    }
  } else {
    expect(after.items).toBe(EXAMPLE_ROWS);
  }
  await auditorContext.close();
});
