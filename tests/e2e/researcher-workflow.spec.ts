import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// Issue #17: the researcher's and auditor's workflow without dead ends — forms keep what was typed, irreversible
// actions ask first, pages answer real HTTP statuses, the report explains itself, re-routing reports its outcome.

const DEMO = "multilingual-helpfulness";

/** A fresh campaign through the API (this spec never changes the shared demo campaign), with items when asked. */
async function newCampaign(page: Page, name: string, items = 0): Promise<{ id: string; slug: string }> {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post("/api/v1/campaigns", { headers: { origin }, data: { name, rubric: { type: "likert", min: 1, max: 5 } } });
  expect(res.status()).toBe(201);
  const { campaign } = (await res.json()) as { campaign: { id: string; slug: string } };
  if (items > 0) {
    const body = Array.from({ length: items }, (_, i) => JSON.stringify({ id: `w${i}`, output: `Answer ${i}.`, judge_score: 3, judge_confidence: 0.9 })).join("\n");
    const imp = await page.request.post(`/api/v1/campaigns/${campaign.id}/items`, { headers: { origin, "content-type": "application/x-ndjson" }, data: body });
    expect(imp.ok(), await imp.text()).toBe(true);
  }
  return campaign;
}

test("the new-campaign form keeps every value after a bad number, says why beside the field and focuses it", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/new");
  await page.getByLabel("Name", { exact: true }).fill("Kept values");
  await page.getByLabel("Description").fill("Typed once, never again.");
  await page.getByLabel("Visibility").selectOption("invite");
  await page.getByLabel("Scale").selectOption("binary");
  await page.getByLabel("Label for 0").fill("Unsafe");
  await page.getByLabel("Tail threshold t").fill("0.7");
  await page.getByLabel("Confidence threshold c").fill("5");
  await page.getByRole("button", { name: "Create campaign" }).click();

  const field = page.locator("#confidenceThreshold");
  await expect(page.locator("#confidenceThreshold-error")).toHaveText("Confidence threshold c must be between 0 and 1");
  await expect(page.getByText(/Too big|expected number/)).toHaveCount(0);
  await expect(field).toBeFocused();
  await expect(field).toHaveValue("5");
  await expect(field).toHaveAttribute("aria-describedby", "confidenceThreshold-error");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Kept values");
  await expect(page.getByLabel("Description")).toHaveValue("Typed once, never again.");
  await expect(page.getByLabel("Visibility")).toHaveValue("invite");
  await expect(page.getByLabel("Scale")).toHaveValue("binary");
  await expect(page.getByLabel("Label for 0")).toHaveValue("Unsafe");
  await expect(page.getByLabel("Tail threshold t")).toHaveValue("0.7");

  // Fixing the one field is enough.
  await field.fill("0.5");
  await page.getByRole("button", { name: "Create campaign" }).click();
  await expect(page).toHaveURL(/\/campaigns\/kept-values[^/]*\/import/);
});

test("closing a campaign asks first: cancel keeps it active, confirm closes it", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  const c = await newCampaign(page, `Close me ${Date.now()}`, 3);
  const origin = new URL(page.url()).origin;
  // The import routes its items in the background; activating needs routed items.
  await expect(async () => {
    expect((await page.request.patch(`/api/v1/campaigns/${c.id}`, { headers: { origin }, data: { status: "active" } })).status()).toBe(200);
  }).toPass({ timeout: 30_000 });
  await page.goto(`/campaigns/${c.slug}/edit`);

  await page.getByRole("button", { name: "Close…" }).click();
  const dialog = page.getByRole("dialog", { name: "Close this campaign?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Closing is final");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  await expect(page.getByText("active", { exact: true }).first()).toBeVisible();

  // Escape cancels too; then confirm.
  await page.getByRole("button", { name: "Close…" }).click();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "Close…" }).click();
  await dialog.getByRole("button", { name: "Close campaign" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Campaign is now closed." })).toBeVisible();
  await page.reload();
  await expect(page.getByText("This campaign is closed; its settings can no longer change.")).toBeVisible();
});

test("pages answer 404, 403 and a sign-in redirect that comes back", async ({ page }) => {
  // Anonymous: a redirect to sign-in carrying the return path, and back there after signing in.
  const anon = await page.goto(`/campaigns/${DEMO}/report`);
  expect(anon!.request().redirectedFrom()?.url()).toContain(`/campaigns/${DEMO}/report`);
  expect(new URL(page.url()).pathname).toBe("/signin");
  expect(new URL(page.url()).searchParams.get("callbackUrl")).toBe(`/campaigns/${DEMO}/report`);
  await page.getByLabel("Email").fill("ada@margin.demo");
  await page.getByLabel("Password").fill("margin-demo");
  await page.getByRole("button", { name: "Sign in" }).click();

  // A contributor on the report: 403, saying which role the page needs.
  await expect(page).toHaveURL(new RegExp(`/campaigns/${DEMO}/report`));
  const forbidden = await page.goto(`/campaigns/${DEMO}/report`);
  expect(forbidden!.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await expect(page.getByText(/This page is for an owner, researcher or auditor of this campaign/)).toBeVisible();

  const missing = await page.goto("/campaigns/no-such-campaign-anywhere/report");
  expect(missing!.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Campaign not found" })).toBeVisible();
  const missing2 = await page.goto("/campaigns/no-such-campaign-anywhere");
  expect(missing2!.status()).toBe(404);

  // The owner is never told to ask the owner.
  await page.context().clearCookies();
  await signIn(page, "researcher@margin.demo");
  const rate = await page.goto(`/campaigns/${DEMO}/rate`);
  expect(rate!.status()).toBe(403);
  await expect(page.getByText("You run this campaign, so you do not rate its items.")).toBeVisible();
  await expect(page.getByText(/ask the campaign's owner/i)).toHaveCount(0);
});

test("the report explains itself: Greek letters as written, a glossary reachable from the headers, the ceiling in words", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto(`/campaigns/${DEMO}/report`);
  const header = page.getByRole("columnheader", { name: /Human α/ }).first();
  await expect(header).toBeVisible();
  expect(await header.evaluate((el) => getComputedStyle(el).textTransform)).toBe("none");
  expect(await header.innerText()).toContain("α");
  await expect(page.getByTestId("ceiling-note")).toContainText("human ceiling");
  await expect(page.getByText("Human ceiling", { exact: true })).toBeVisible();

  await page.getByRole("columnheader", { name: /κ unweighted/ }).getByRole("link", { name: /What is κ unweighted/ }).click();
  await expect(page).toHaveURL(/#glossary-kappa$/);
  const entry = page.locator("#glossary-kappa");
  await expect(entry).toBeInViewport();
  await expect(entry).toContainText("κ = (p");

  // An empty campaign's report: an empty state, not empty axes.
  const c = await newCampaign(page, `Empty report ${Date.now()}`);
  await page.goto(`/campaigns/${c.slug}/report`);
  await expect(page.getByRole("heading", { name: "No rated items yet" })).toBeVisible();
  await expect(page.getByTestId("interval-chart")).toHaveCount(0);
});

test("re-route now shows progress and then the outcome without a reload", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  const c = await newCampaign(page, `Reroute ${Date.now()}`, 5);
  await page.goto(`/campaigns/${c.slug}/edit`);
  await expect(page.getByText(/Last routed|Not routed yet/)).toBeVisible();
  // A marker that a reload would wipe.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
  await page.getByRole("button", { name: "Re-route now" }).click();
  const outcome = page.getByTestId("reroute-outcome");
  await expect(outcome).toContainText("Re-routing finished.", { timeout: 30_000 });
  await expect(outcome).toContainText(/Round \d+ under the rules policy: \d+ of 5 items go to people/);
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
});
