import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

const DEMO = "/campaigns/multilingual-helpfulness";

test("a researcher filters items by a metadata facet, opens one and sees its ratings and the judge's verdict", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto(DEMO);
  await page.getByRole("link", { name: "Browse items" }).click();
  await expect(page.getByRole("heading", { name: "Items", exact: true })).toBeVisible();

  // The campaign's stratification key (language) is a facet of its own; the form's address is canonical.
  const form = page.getByRole("form", { name: "Filter items" });
  await form.getByLabel("language", { exact: true }).selectOption("sw");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/items\?meta\.language=sw$/);
  await expect(page.getByRole("list", { name: "Active filters" })).toContainText("language = sw");
  await expect(page.getByTestId("browse-count")).toContainText(/\d+ items? match/);
  const table = page.getByRole("table", { name: "Items" });
  const rows = table.locator("tbody tr");
  expect(await rows.count()).toBeGreaterThan(0);
  for (const cell of await rows.locator("td:nth-child(2)").allInnerTexts()) expect(cell.trim()).toBe("sw");

  // Items people rated: the consensus facet (and the filter holds both).
  await form.getByLabel("Human consensus").selectOption("4");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/meta\.language=sw&consensus=4|consensus=4&meta\.language=sw/);
  const first = table.locator("tbody tr").first().getByRole("link");
  const externalId = (await first.innerText()).trim();
  await first.click();

  await expect(page.getByRole("heading", { name: externalId })).toBeVisible();
  await expect(page.getByTestId("judge-score")).toHaveText(/^[1-5]$/);
  await expect(page.getByTestId("judge-confidence")).toHaveText(/^0\.\d+|1$/);
  await expect(page.getByText("The Swahili answer", { exact: false }).first()).toBeVisible();
  await expect(page.getByTestId("consensus")).toContainText("People: 4");
  const ratings = page.getByRole("table", { name: "Ratings" });
  expect(await ratings.locator("tbody tr").count()).toBeGreaterThan(0);
  // Raters by pseudonym only: no names or emails of the demo contributors.
  await expect(ratings).toContainText(/a_[0-9a-f]{16}/);
  expect(await page.content()).not.toMatch(/(ada|bayo|chen)@margin\.demo|(Ada|Bayo|Chen) Contributor/);
  await expect(page.getByRole("table", { name: "Inclusion records" })).toContainText("drawn");

  // Preview as rater: the item as a contributor sees it, nothing of the judge.
  const rationale = (await page.getByRole("region", { name: "Rationale" }).innerText()).trim();
  await page.getByRole("link", { name: "Preview as rater" }).click();
  await expect(page.getByRole("note")).toContainText("Preview as rater");
  await expect(page.getByRole("region", { name: "Output" })).toBeVisible();
  expect(await page.content()).not.toContain(rationale.split("\n").pop()!.trim());
});

test("a flag raised on the rating page is resolved from the item's page and shows as resolved", async ({ page, browser }) => {
  // Bayo (an annotator of the demo) flags the item he is given, through the rating page's API.
  const rater = await browser.newPage();
  await signIn(rater, "bayo@margin.demo");
  const origin = { origin: new URL(rater.url()).origin };
  const next = await rater.request.post(`/api${DEMO}/assignments/next`, { headers: origin });
  const { item } = (await next.json()) as { item: { assignmentId: number; itemId: number } };
  const flagged = await rater.request.post(`/api${DEMO}/assignments/${item.assignmentId}/flag`, { headers: origin, data: { reason: "broken", note: "The answer stops mid-sentence" } });
  expect(flagged.status()).toBe(200);
  // Annotators never reach the browser (it shows the judge's verdicts).
  await rater.goto(`${DEMO}/items`);
  await expect(rater.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await rater.close();

  await signIn(page, "researcher@margin.demo");
  const detail = await page.request.get(`/api/v1/campaigns/multilingual-helpfulness/items/${item.itemId}`);
  const externalId = ((await detail.json()) as { item: { external_id: string } }).item.external_id;

  await page.goto(`${DEMO}/items?flags=open`);
  const link = page.getByRole("table", { name: "Items" }).getByRole("link", { name: externalId });
  await expect(link).toBeVisible();
  await link.click();
  const flags = page.getByRole("table", { name: "Flags on this item" });
  await expect(flags).toContainText("The answer stops mid-sentence");
  await expect(flags).toContainText("open");
  await flags.getByLabel(`Note on the flag of ${externalId} (optional)`).fill("Re-imported with the full answer");
  await flags.getByRole("button", { name: "Resolve" }).click();
  await expect(flags.getByText("resolved", { exact: true })).toBeVisible();
  await expect(flags).toContainText("Re-imported with the full answer");
  await expect(flags.getByRole("button", { name: "Resolve" })).toHaveCount(0);

  // The open-flags list no longer has it; the contributors page links the flag to the same item page.
  await page.goto(`${DEMO}/items?flags=open`);
  await expect(page.getByRole("table", { name: "Items" }).getByRole("link", { name: externalId })).toHaveCount(0);
  await page.goto(`${DEMO}/contributors`);
  await page.getByRole("table", { name: "Flagged items" }).getByRole("link", { name: externalId }).click();
  await expect(page).toHaveURL(new RegExp(`/items/${externalId}$`));
});

test("the report links a group to its items and a top disagreement to the item's page", async ({ page }) => {
  await signIn(page, "auditor@margin.demo");
  await page.goto(`${DEMO}/report`);
  const groups = page.getByRole("table", { name: "Judge–human agreement by group, worst first" });
  await groups.getByRole("link", { name: "fo", exact: true }).click();
  await expect(page).toHaveURL(/\/items\?meta\.language=fo$/);
  await expect(page.getByRole("list", { name: "Active filters" })).toContainText("language = fo");

  await page.goto(`${DEMO}/report`);
  const first = page.getByRole("list", { name: "Top disagreements" }).locator(":scope > li").first().getByRole("link");
  const externalId = (await first.innerText()).trim();
  await first.click();
  await expect(page.getByRole("heading", { name: externalId })).toBeVisible();
  // The auditor reads, but flags are resolved by people who may edit the campaign.
  await expect(page.getByRole("button", { name: "Resolve" })).toHaveCount(0);
});

test("an unknown facet in the address shows a notice and the unfiltered list; a foreign cursor the first page", async ({ page }) => {
  await signIn(page, "auditor@margin.demo");
  await page.goto(`${DEMO}/items?colour=red&reason=tail`);
  const notice = page.getByRole("alert").filter({ hasText: "does not know" });
  await expect(notice).toContainText("colour");
  await expect(page.getByRole("list", { name: "Active filters" })).toHaveCount(0);
  await expect(page.getByRole("table", { name: "Items" }).locator("tbody tr")).toHaveCount(50);

  await page.goto(`${DEMO}/items?reason=control`);
  const nextHref = await page.getByRole("link", { name: "Next page →" }).getAttribute("href");
  const cursor = new URL(nextHref!, "http://x").searchParams.get("cursor")!;
  await page.goto(`${DEMO}/items?reason=tail&cursor=${cursor}`);
  await expect(page.getByRole("alert").filter({ hasText: "belongs to another filter" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Active filters" })).toContainText("Rare (tail)");
  // The API says the same with a 400 naming the parameter.
  const api = await page.request.get(`/api/v1/campaigns/multilingual-helpfulness/items?reason=tail&cursor=${cursor}`);
  expect(api.status()).toBe(400);
  expect(((await api.json()) as { error: { field: string } }).error.field).toBe("cursor");
});

test("the item browser answers with real statuses: 403 for a contributor, sign-in for a visitor, 404 for an unknown campaign", async ({ page, browser }) => {
  const anonymous = await browser.newContext();
  const visitor = await anonymous.newPage();
  const res = await visitor.goto("/campaigns/multilingual-helpfulness/items");
  expect(visitor.url()).toContain("/signin?callbackUrl=%2Fcampaigns%2Fmultilingual-helpfulness%2Fitems");
  expect(res!.status()).toBe(200);
  await anonymous.close();
  await signIn(page, "ada@margin.demo");
  expect((await page.goto("/campaigns/multilingual-helpfulness/items"))!.status()).toBe(403);
  expect((await page.goto("/campaigns/no-such-campaign/items"))!.status()).toBe(404);
});
