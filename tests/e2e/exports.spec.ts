import { createHash } from "node:crypto";
import fs from "node:fs";
import { parse } from "csv-parse/sync";
import { expect, test, type Download } from "@playwright/test";
import { signIn, signUp } from "./helpers";

const DEMO_ITEMS = 2000;
const read = async (d: Download) => fs.readFileSync((await d.path())!);

test("an auditor downloads the items CSV and its manifest; sha256 and row counts agree", async ({ page }) => {
  await signIn(page, "auditor@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness");
  await page.getByRole("link", { name: "Exports" }).click();
  await expect(page.getByRole("heading", { name: "Exports", exact: true })).toBeVisible();
  await page.getByLabel("What").selectOption("items");
  await expect(page.getByLabel("What")).toContainText(`(${DEMO_ITEMS.toLocaleString("en")} rows)`);
  await page.getByLabel("Format").selectOption("csv");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download" }).click()]);
  expect(download.suggestedFilename()).toBe("multilingual-helpfulness-items.csv");
  const csv = await read(download);
  const sha = createHash("sha256").update(csv).digest("hex");
  await expect(page.getByRole("status")).toContainText(sha);
  const records = parse(csv, { columns: true }) as Record<string, string>[];
  expect(records).toHaveLength(DEMO_ITEMS);
  expect(Object.keys(records[0]!)).toContain("inclusion_prob");

  // The new export is listed with its checksum; its manifest agrees with the file.
  const row = page.getByRole("row").filter({ hasText: sha.slice(0, 12) }).first();
  await expect(row).toBeVisible();
  const [mdl] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Manifest" }).click()]);
  const manifest = JSON.parse((await read(mdl)).toString("utf8")) as { files: { name: string; rows: number; sha256: string }[]; requester: { userId: string } };
  expect(manifest.files).toEqual([expect.objectContaining({ name: "multilingual-helpfulness-items.csv", rows: DEMO_ITEMS, sha256: sha })]);
  expect(JSON.stringify(manifest)).not.toContain("@margin.demo");
});

test("an annotator cannot open the exports page", async ({ page }) => {
  await signIn(page, "bayo@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/exports");
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
});

test("an admin exports the filtered audit trail as CSV", async ({ page }) => {
  await signIn(page, "admin@margin.demo");
  await page.goto("/admin/audit?action=routing.");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  const rows = parse(await read(download), { columns: true }) as { action: string }[];
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.every((r) => r.action.startsWith("routing."))).toBe(true);
});

test("a contributor downloads their data, deletes their account and can no longer sign in", async ({ page }) => {
  const email = `leaver-${Date.now()}@example.org`;
  await signUp(page, "Leaver", email, "a-long-enough-password");
  await page.goto("/settings/privacy");
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download my data (JSON)" }).click()]);
  const data = JSON.parse((await read(dl)).toString("utf8")) as { account: { email: string }; judgments: unknown[] };
  expect(data.account.email).toBe(email);
  await page.getByLabel("Type DELETE to confirm").fill("DELETE");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a-long-enough-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
});
