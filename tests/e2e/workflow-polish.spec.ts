import { createHash } from "node:crypto";
import fs from "node:fs";
import { parse } from "csv-parse/sync";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// Issue #17: honest import outcomes, bundles that verify, a filterable audit trail, invitation links.

const good = (id: string) => JSON.stringify({ id, output: "An answer.", judge_score: 3, judge_confidence: 0.4, language: "en" });
const bad = (id: string) => JSON.stringify({ id, output: "An answer.", judge_score: 42 });

/** A fresh draft campaign made through the API (so this spec never touches the shared demo campaign's items). */
async function newCampaign(page: Page, name: string): Promise<string> {
  const res = await page.request.post("/api/v1/campaigns", {
    headers: { origin: new URL(page.url()).origin },
    data: { name, guidelines: "Rate helpfulness from 1 to 5.", rubric: { type: "likert", min: 1, max: 5 }, stratificationKey: "language" },
  });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { campaign: { slug: string } }).campaign.slug;
}

async function upload(page: Page, slug: string, name: string, content: string) {
  await page.goto(`/campaigns/${slug}/import`);
  await page.locator("form[data-ready]").waitFor();
  await page.getByLabel(/Items file/).setInputFiles({ name, mimeType: "", buffer: Buffer.from(content) });
  await page.getByRole("button", { name: "Upload and import" }).click();
  const report = page.getByRole("region", { name: "Import report" });
  await expect(report).toBeVisible({ timeout: 30_000 });
  return report;
}

test("an import with rejected rows is partial (amber), an empty file is empty; the history says the same", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns");
  const slug = await newCampaign(page, `Import outcomes ${Date.now()}`);

  // Before any file: the page says that prior ratings lock the rubric.
  await page.goto(`/campaigns/${slug}/import`);
  await expect(page.getByTestId("ratings-lock-note")).toContainText("the first judgment locks this campaign's rubric");
  await page.locator("form[data-ready]").waitFor();
  await page.getByLabel(/Items file/).setInputFiles({ name: "rated.jsonl", mimeType: "", buffer: Buffer.from(JSON.stringify({ id: "r1", output: "x", human_ratings: [{ rater: "p1", value: 4 }] })) });
  await expect(page.getByTestId("ratings-warning")).toContainText("locks this campaign's rubric");

  const mixed = await upload(page, slug, "mixed.jsonl", [good("m1"), bad("m2"), bad("m3"), bad("m4"), bad("m5"), bad("m6")].join("\n"));
  const status = mixed.getByRole("status").first();
  await expect(status).toHaveText("1 imported, 5 rejected (of 6 rows).");
  await expect(status).toHaveAttribute("data-import-status", "partial");
  await expect(status).toHaveClass(/bg-amber-50/);
  await expect(mixed.getByText("partial", { exact: true })).toBeVisible();
  await expect(mixed.getByRole("table", { name: /Rejected rows/ }).getByRole("row")).toHaveCount(6);

  const empty = await upload(page, slug, "empty.jsonl", "\n");
  const emptyStatus = empty.getByRole("status").first();
  await expect(emptyStatus).toHaveText("Nothing was imported: the file has no rows.");
  await expect(emptyStatus).toHaveAttribute("data-import-status", "empty");
  await expect(emptyStatus).not.toHaveClass(/emerald/);
  await expect(empty.getByRole("link", { name: "See the overview →" })).toHaveCount(0);

  const allBad = await upload(page, slug, "bad.jsonl", [bad("b1"), bad("b2")].join("\n"));
  await expect(allBad.getByRole("status").first()).toHaveText("Nothing was imported: all 2 rows were rejected.");
  await expect(allBad.getByRole("status").first()).toHaveClass(/bg-rose-50/);

  // The history, newest first: failed, empty, partial.
  const history = page.getByRole("table", { name: "Past imports" });
  await expect(history.getByRole("row").nth(1)).toContainText("failed");
  await expect(history.getByRole("row").nth(2)).toContainText("empty");
  await expect(history.getByRole("row").nth(3)).toContainText("partial");
});

test("a bundle downloaded twice has the same sha256, the one the page shows and the manifest records", async ({ page }) => {
  await signIn(page, "auditor@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/exports");
  await page.getByLabel("What").selectOption("bundle");
  await page.getByLabel("Format").selectOption("csv");
  const shas: string[] = [];
  for (let i = 0; i < 2; i++) {
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), page.getByRole("button", { name: "Download" }).click()]);
    const bytes = fs.readFileSync((await download.path())!);
    const sha = createHash("sha256").update(bytes).digest("hex");
    shas.push(sha);
    const status = page.getByRole("status");
    await expect(status.getByTestId("download-sha256")).toHaveText(sha, { timeout: 60_000 });
    await expect(status.getByTestId("manifest-sha256")).toHaveText(sha);
    await expect(status.getByTestId("bundle-members")).toContainText("5 of 5 files have the sha256 listed");
    await expect(status.getByLabel("equal")).toHaveCount(2);
  }
  expect(shas[1]).toBe(shas[0]);
  // Past exports list the zip's sha256 for both.
  await expect(page.getByRole("table", { name: "Past exports" }).getByRole("row").filter({ hasText: shas[0]!.slice(0, 12) })).toHaveCount(2, { timeout: 10_000 }).catch(async () => {
    await page.reload();
    await expect(page.getByRole("table", { name: "Past exports" }).getByRole("row").filter({ hasText: shas[0]!.slice(0, 12) })).toHaveCount(2);
  });
});

test("the audit trail filters by date, campaign, actor and action in the address, shows full details, and exports what it shows", async ({ page }) => {
  await signIn(page, "admin@margin.demo");
  const today = new Date().toISOString().slice(0, 10);
  await page.goto("/admin/audit");
  const filters = page.getByRole("form", { name: "Audit filters" });
  await filters.getByLabel("From", { exact: true }).fill("2000-01-01");
  await filters.getByLabel("To (inclusive)").fill(today);
  await filters.getByLabel("Campaign", { exact: true }).selectOption({ label: "Multilingual helpfulness" });
  await filters.getByLabel("Action", { exact: true }).selectOption("routing.run");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/campaign=multilingual-helpfulness/);
  await expect(page).toHaveURL(/action=routing\.run/);
  await expect(page).toHaveURL(new RegExp(`to=${today}`));
  const rows = page.getByRole("table", { name: "Audit events" }).locator("tbody tr[data-audit-event]");
  await expect(rows.first()).toBeVisible();
  const n = await rows.count();
  for (let i = 0; i < n; i++) await expect(rows.nth(i).locator("td").nth(1)).toHaveText("routing.run");
  // Details open in full.
  await rows.first().getByRole("button", { name: /Show details/ }).click();
  const details = page.getByRole("table", { name: "Audit events" }).locator("tbody tr[data-audit-details] pre").first();
  await expect(details).toContainText('"seed": "demo-routing-2026"');
  await expect(rows.first().getByRole("button", { name: /Hide details/ })).toHaveAttribute("aria-expanded", "true");

  // The CSV exports exactly these events.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const csv = parse(fs.readFileSync((await download.path())!), { columns: true }) as { action: string; campaign_slug: string }[];
  expect(csv.length).toBe(n);
  expect(csv.every((r) => r.action === "routing.run" && r.campaign_slug === "multilingual-helpfulness")).toBe(true);

  // A date range with nothing in it lists nothing; a bad date is named, not a crash.
  await page.goto("/admin/audit?from=1999-01-01&to=1999-12-31");
  await expect(page.getByText("No audit events match")).toBeVisible();
  await page.goto("/admin/audit?from=yesterday&actor=admin@margin.demo");
  await expect(page.getByRole("alert").filter({ hasText: "Ignored" })).toContainText("Ignored: from");
  await expect(page.getByRole("table", { name: "Audit events" })).toBeVisible();
});

test("an invitation gives a link to copy that opens sign-up with the email, then the campaign", async ({ page, context }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/members");
  const email = `invitee-${Date.now()}@example.org`;
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Invite" }).click();
  const link = page.getByLabel(`Invitation link for ${email}`).first();
  await expect(link).toBeVisible();
  const url = await link.inputValue();
  expect(url).toContain("/signup?");
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.getByRole("button", { name: "Copy link" }).first().click();
  await expect(page.getByText("Copied.").first()).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto(url);
  await expect(page.getByRole("heading", { name: "You are invited to a campaign" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByLabel("Name").fill("Invited Person");
  await page.getByLabel("Password").fill("a-long-enough-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/campaigns\/multilingual-helpfulness$/, { timeout: 20_000 });
});
