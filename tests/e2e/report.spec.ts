import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

const REPORT = "/campaigns/multilingual-helpfulness/report";

test("the researcher opens the report: tail-gap chart first, then groups and top disagreements", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness");
  await page.getByRole("link", { name: "Disagreement report" }).click();
  await expect(page.getByRole("heading", { name: "Disagreement report", level: 1 })).toBeVisible();

  const chart = page.getByRole("figure", { name: "Tail-gap chart" });
  await expect(chart).toBeVisible();
  // recharts draws one bar per bucket and series once hydrated.
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
  const tail = page.getByRole("table", { name: "Judge–human agreement by tail bucket" });
  await expect(tail.getByRole("row", { name: /0\.9–1/ })).toContainText("worse");
  await expect(tail.getByRole("row", { name: /0\.7–0\.8/ })).toContainText("not enough data");

  const groups = page.getByRole("table", { name: "Judge–human agreement by group, worst first" });
  await expect(groups.getByRole("row")).toHaveCount(13);

  const list = page.getByRole("list", { name: "Top disagreements" });
  await expect(list.getByRole("listitem").first()).toContainText("AI judge");
  await expect(page.getByRole("navigation", { name: "Pagination" })).toContainText("Page 1 of");

  // Filter by one group: every disagreement shown is from Portuguese.
  await page.getByLabel("Group").selectOption("pt");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/group=pt/);
  const items = page.getByRole("list", { name: "Top disagreements" }).locator(":scope > li");
  await expect(items.first()).toBeVisible();
  for (const text of await items.allInnerTexts()) expect(text).toContain("pt");
});

test("the report API returns the same report to the researcher and refuses others", async ({ page, browser }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto(REPORT);
  const api = await page.getByText(/\/api\/v1\/campaigns\/[0-9a-f-]+\/report/).innerText();
  const res = await page.request.get(api);
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { overall: { counts: { items: number } }; buckets: unknown[]; disagreements: unknown[] };
  expect(body.overall.counts.items).toBe(2000);
  expect(body.buckets.length).toBeGreaterThan(2);
  expect((await page.request.get(`${api}?cuts=0.9,0.1`)).status()).toBe(400);
  expect((await page.request.get(api.replace(/[0-9a-f]{12}\/report$/, "000000000000/report"))).status()).toBe(404);

  const anon = await browser.newContext();
  expect((await anon.request.get(new URL(api, page.url()).toString())).status()).toBe(401);
  await anon.close();
});

test("an annotator-only user cannot open the report", async ({ page }) => {
  await signIn(page, "ada@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness");
  await expect(page.getByText("you: annotator")).toBeVisible();
  await expect(page.getByRole("link", { name: "Disagreement report" })).toHaveCount(0);
  await page.goto(REPORT);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Tail-gap chart" })).toHaveCount(0);
  const html = await page.content();
  // Nothing of the report (judge rationales, disagreements) reaches an annotator's browser.
  expect(html).not.toContain("Top disagreements");
  expect(html).not.toMatch(/answer is (fluent|on topic|unhelpful)/);
});

test("the report says what it counted, and compares with a group the researcher picks", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto(REPORT);
  // Every judgment is accounted for, with the routing run whose design the report used.
  await expect(page.getByTestId("report-accounting")).toContainText(/Counted [\d,]+ judgments on [\d,]+ items/);
  await expect(page.getByTestId("report-accounting")).toContainText("design: routing run");
  await expect(page.getByRole("list", { name: "Judgments counted and set aside" })).toContainText("counted");
  // κ, ρ and α keep their letters in table headers (no uppercase transform turning them into K, P, A).
  await expect(page.getByRole("columnheader", { name: "κ linear" })).toBeVisible();

  await page.getByLabel("Compare with").selectOption("group:en");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/ref=group%3Aen/);
  const groups = page.getByRole("table", { name: "Judge–human agreement by group, worst first" });
  await expect(groups.getByRole("row", { name: /^en\b/ })).toContainText("reference");
  await expect(page.getByText("“Worse than” compares with group en (chosen by the researcher).")).toBeVisible();
});
