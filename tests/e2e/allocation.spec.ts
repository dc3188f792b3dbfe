import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

const CAMPAIGN = "/campaigns/multilingual-helpfulness";

test("the researcher plans a budget: labels per tail bucket and group for three policies, with the assumptions", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto(CAMPAIGN);
  await page.getByRole("link", { name: "Budget planner" }).click();
  await expect(page.getByRole("heading", { name: "Budget planner", level: 1 })).toBeVisible();
  await expect(page.getByRole("img", { name: "Labels needed per tail bucket and policy" })).toBeVisible();
  const buckets = page.getByRole("table", { name: "Labels needed by tail bucket" });
  await expect(buckets.getByRole("row").nth(1)).toBeVisible();
  const groups = page.getByRole("table", { name: "Labels needed by group" });
  // Twelve languages in the demo, and a header row.
  await expect(groups.getByRole("row")).toHaveCount(13);
  await expect(page.getByRole("heading", { name: "Assumptions" })).toBeVisible();

  // A tighter target needs at least as many labels; a bad one is refused with a readable message.
  const cell = groups.getByRole("row", { name: /^en / }).getByRole("cell").nth(6);
  const at05 = Number((await cell.innerText()).replace(/,/g, ""));
  await page.getByLabel("Agreement ± (0–0.5)").fill("0.02");
  await page.getByRole("button", { name: "Plan" }).click();
  await expect(page).toHaveURL(/halfWidth=0\.02/);
  const at02 = Number((await page.getByRole("table", { name: "Labels needed by group" }).getByRole("row", { name: /^en / }).getByRole("cell").nth(6).innerText()).replace(/,/g, ""));
  expect(at02).toBeGreaterThanOrEqual(at05);
  await page.goto(`${CAMPAIGN}/plan?halfWidth=2`);
  await expect(page.getByText(/Settings ignored: halfWidth .*must be at most 0.5/)).toBeVisible();

  // The API answers the same plan, and names a bad parameter with a 400.
  const api = await page.getByText(/\/api\/v1\/campaigns\/[0-9a-f-]+\/plan/).innerText();
  const id = api.match(/campaigns\/([0-9a-f-]+)\/plan/)![1]!;
  const ok = await page.request.get(`/api/v1/campaigns/${id}/plan?halfWidth=0.05`);
  expect(ok.status()).toBe(200);
  const plan = (await ok.json()) as { groups: { stratum: string }[]; buckets: unknown[] };
  expect(plan.groups).toHaveLength(12);
  const bad = await page.request.get(`/api/v1/campaigns/${id}/plan?halfWidth=0`);
  expect(bad.status()).toBe(400);
  expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("halfWidth");
});

test("the report shows where the judge can be trusted and the failure yield", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto(`${CAMPAIGN}/report`);
  await expect(page.getByRole("heading", { name: "Where the judge can be trusted" })).toBeVisible();
  const trust = page.getByRole("table", { name: "Trust certificates by stratum" });
  await expect(trust.getByRole("row", { name: /^All items/ })).toBeVisible();
  // The demo's judge is unreliable on the rarest languages: their tail bucket gets no certificate.
  await expect(trust.getByRole("row", { name: /^Tail 0\.9–1/ })).toContainText(/escalate all|too few labels/);
  const yieldTable = page.getByRole("table", { name: "Failure yield by inclusion reason" });
  await expect(yieldTable.getByRole("row", { name: /Control sample/ })).toBeVisible();
  await expect(yieldTable.getByRole("row", { name: /Tail/ })).toBeVisible();
});
