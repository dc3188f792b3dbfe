import path from "node:path";
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("a researcher creates a campaign, uploads the example file, sees the import report and the overview charts", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns");
  await page.getByRole("link", { name: "New campaign" }).click();
  await expect(page.getByRole("heading", { name: "New campaign" })).toBeVisible();
  const name = `Password help ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Guidelines (Markdown)").fill("Rate **helpfulness** from 1 to 5.");
  await page.getByLabel("Stratification key (metadata field)").fill("language");
  // Text rarity runs on the server's tail-scoring thread (lib/tail/off-thread.ts): this checks the bundled worker.
  await page.getByLabel("Tail-score method").selectOption("text");
  await page.getByRole("button", { name: "Create campaign" }).click();

  await expect(page.getByRole("heading", { name: "Import items" })).toBeVisible();
  await page.locator("form[data-ready]").waitFor();
  await page.getByLabel(/Items file/).setInputFiles(path.join(process.cwd(), "public/examples/items.jsonl"));
  await page.getByRole("button", { name: "Upload and import" }).click();
  const report = page.getByRole("region", { name: "Import report" });
  await expect(report).toBeVisible({ timeout: 30_000 });
  await expect(report.getByRole("status").first()).toHaveText("Imported 48 rows.");
  await expect(report.getByText("New", { exact: true }).locator("..")).toContainText("48");
  await expect(page.getByRole("table", { name: "Past imports" }).getByRole("row")).toHaveCount(2);

  await report.getByRole("link", { name: "See the overview →" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Histogram of tail scores" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Histogram of judge confidence" })).toBeVisible();
  // Routing runs in the background; the page refreshes itself when it finishes.
  await expect(page.getByRole("img", { name: "Routed items by reason" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("table", { name: "Groups" }).getByRole("cell", { name: "qu", exact: true })).toBeVisible();
  await page.getByText("Show data: Histogram of tail scores").click();
  await expect(page.getByRole("table", { name: "Histogram of tail scores" }).getByRole("row")).toHaveCount(11);
});

test("a bad file gets a clear message and a row-level report", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/import");
  await page.locator("form[data-ready]").waitFor();
  await page.getByLabel(/Items file/).setInputFiles({ name: "bad.jsonl", mimeType: "", buffer: Buffer.from('{"id":"n1","output":"ok","judge_score":3}\n{"id":"n2","output":"x","judge_score":11}\n') });
  // All or nothing: the demo campaign (shared with other specs) stays untouched.
  await page.getByLabel("All or nothing: import nothing if any row is invalid").check();
  await page.getByRole("button", { name: "Upload and import" }).click();
  const report = page.getByRole("region", { name: "Import report" });
  await expect(report.getByRole("status").first()).toHaveText("Nothing was imported: 1 of 2 rows rejected, and all-or-nothing was asked for.");
  await expect(report.getByRole("table", { name: /Rejected rows/ }).getByRole("cell", { name: "2", exact: true })).toBeVisible();
  await expect(report.getByRole("link", { name: /Download the error report/ })).toBeVisible();

  await page.locator("form[data-ready]").waitFor();
  await page.getByLabel(/Items file/).setInputFiles({ name: "picture.png", mimeType: "image/png", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
  await page.getByRole("button", { name: "Upload and import" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Choose" })).toHaveText("Choose a .jsonl, .csv or .json file.");
  // The server refuses a wrong type on its own too, before reading the body.
  const res = await page.request.post("/api/v1/campaigns/multilingual-helpfulness/items", { headers: { "content-type": "image/png", origin: new URL(page.url()).origin }, data: Buffer.from([0x89, 0x50]) });
  expect(res.status()).toBe(415);
  expect((await res.json()).error.message).toMatch(/Unsupported file type/);
});

test("contributors cannot create campaigns or open the researcher pages", async ({ page }) => {
  await signIn(page, "ada@margin.demo");
  await page.goto("/campaigns");
  await expect(page.getByRole("link", { name: "New campaign" })).toHaveCount(0);
  for (const url of ["/campaigns/new", "/campaigns/multilingual-helpfulness/import", "/campaigns/multilingual-helpfulness/overview", "/campaigns/multilingual-helpfulness/edit"]) {
    await page.goto(url);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  }
  const res = await page.request.post("/api/v1/campaigns", { data: { name: "Nope", rubric: { type: "binary", labels: ["No", "Yes"] } } });
  expect(res.status()).toBe(403);
});

test("a researcher sets gold rate, lease and consensus in the forms; a consensus the rubric cannot take is refused beside its field", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/new");
  await page.getByLabel("Name").fill(`Settings ${Date.now()}`);
  await page.getByLabel("Scale").selectOption("categorical");
  await page.getByLabel("Options (one per line)").fill("helpful\nunhelpful");
  await page.getByLabel("Consensus").selectOption({ label: "Mean (interval scales only)" });
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.getByLabel("Consensus").locator("..")).toContainText("Mean needs an interval scale");
  // The refused form keeps what was typed, the scale included.
  await expect(page.getByLabel("Scale")).toHaveValue("categorical");
  await expect(page.getByLabel("Options (one per line)")).toHaveValue("helpful\nunhelpful");

  await page.getByLabel("Gold rate (%)").fill("10");
  await page.getByLabel("Lease time (minutes)").fill("30");
  await page.getByLabel("Consensus").selectOption({ label: "Majority vote" });
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page.getByRole("heading", { name: "Import items" })).toBeVisible();
  const slug = new URL(page.url()).pathname.split("/")[2]!;

  await page.goto(`/campaigns/${slug}/edit`);
  await expect(page.getByLabel("Gold rate (%)")).toHaveValue("10");
  await expect(page.getByLabel("Lease time (minutes)")).toHaveValue("30");
  await expect(page.getByLabel("Consensus")).toHaveValue("majority");
  await page.getByLabel("Gold rate (%)").fill("12.5");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByLabel("Gold rate (%)")).toHaveValue("12.5");
  await expect(page.getByLabel("Consensus")).toHaveValue("majority");
  await page.goto(`/campaigns/${slug}/contributors`);
  await expect(page.getByText("gold rate 12.5% · lease 30 min")).toBeVisible();
});
