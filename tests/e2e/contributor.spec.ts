import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";
import { ALLOWED_IMAGE_HOST, JUDGE_MARKER } from "./fixtures/work-campaigns";

const DEMO = "/campaigns/multilingual-helpfulness";
const progress = (page: Page) => page.getByLabel("Progress");
const ratedCount = async (page: Page) => Number((await progress(page).innerText()).match(/^([\d,]+) rated/)![1]!.replace(/,/g, ""));

// Strings the demo judge writes into its rationales (db/seed.ts) and field names: none may reach a contributor.
const JUDGE_TRACES = ["judgeScore", "judge_score", "judgeConfidence", "judgeRationale", "factually correct", "unhelpful or partly wrong", "on topic but incomplete", JUDGE_MARKER];

test("a contributor rates five demo items with the keyboard only, blind to the judge", async ({ page }) => {
  await signIn(page, "ada@margin.demo");
  await page.goto(`${DEMO}/rate`);
  await expect(page.getByRole("heading", { name: "Rate: Multilingual helpfulness" })).toBeVisible();
  await page.locator("[data-keys-ready]").waitFor();
  const before = await ratedCount(page);
  const seen = new Set<string>();
  for (let i = 1; i <= 5; i++) {
    const output = await page.getByRole("region", { name: "Output" }).innerText();
    seen.add(output);
    await page.keyboard.press(String(1 + (i % 5)));
    await expect(page.getByRole("button", { pressed: true })).toHaveCount(1);
    await page.keyboard.press("Enter");
    await expect(progress(page)).toContainText(`${(before + i).toLocaleString("en")} rated by you`);
  }
  await expect(page.getByText("Saved. Here is the next item.")).toBeVisible();
  // Shortcut help opens with ?.
  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toHaveCount(0);

  const html = await page.content();
  for (const trace of JUDGE_TRACES) expect(html).not.toContain(trace);
  const raw = await (await page.request.get(`${DEMO}/rate`)).text();
  for (const trace of JUDGE_TRACES) expect(raw).not.toContain(trace);
  const api = await (await page.request.post(`/api/campaigns/multilingual-helpfulness/assignments/next`, { headers: { origin: new URL(page.url()).origin } })).text();
  expect(api).toContain("assignmentId");
  for (const trace of JUDGE_TRACES) expect(api).not.toContain(trace);

  await page.goto(`${DEMO}/history`);
  await expect(page.getByRole("heading", { name: "Your ratings" })).toBeVisible();
  await expect(page.getByRole("listitem")).toHaveCount(25);
});

test("join a public campaign; an XSS payload in an output stays inert; skip and flag reach the researcher", async ({ page, browser }) => {
  await signIn(page, "ada@margin.demo");
  // The listed image host answers here (no network): a request that reaches this route got past the page's CSP.
  const imageRequests: string[] = [];
  await page.route(`https://${ALLOWED_IMAGE_HOST}/**`, (route) => {
    imageRequests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "image/png", body: Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64") });
  });
  const campaignPage = await page.goto("/campaigns/e2e-open");
  expect(campaignPage!.headers()["content-security-policy"]).toContain(`img-src 'self' data: https://${ALLOWED_IMAGE_HOST};`);
  await page.getByRole("link", { name: "Join and rate" }).click();
  await page.getByRole("button", { name: "Join and start rating" }).click();
  await expect(page.getByRole("heading", { name: "Rate: E2E open campaign" })).toBeVisible();
  await page.locator("[data-keys-ready]").waitFor();

  const output = page.getByRole("region", { name: "Output" });
  await expect(output).toContainText("Here is the answer.");
  await expect(output.getByText("console.log('code block')")).toBeVisible();
  // The javascript: link keeps its words and loses its link.
  await expect(output.getByText("a helpful link")).toBeVisible();
  await expect(output.getByRole("link", { name: "a helpful link" })).toHaveCount(0);
  await expect(output.locator("script")).toHaveCount(0);
  // One image loads: https, on the campaign's listed host. The same host over http stays a link.
  await expect(output.locator("img")).toHaveCount(1);
  await expect(output.locator("img")).toHaveAttribute("src", `https://${ALLOWED_IMAGE_HOST}/chart.png`);
  await expect.poll(() => imageRequests).toEqual([`https://${ALLOWED_IMAGE_HOST}/chart.png`]);
  await expect(output.getByText(`[image: plain — ${ALLOWED_IMAGE_HOST}, not loaded]`)).toBeVisible();
  // The remote image is a link naming its host, not a request; the protocol-relative link leads nowhere.
  await expect(output.getByText("[image: pixel — evil.example, not loaded]")).toBeVisible();
  await expect(output.locator('a[href^="//"], a[href*="evil.example/phish"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
  expect(await page.content()).not.toContain(JUDGE_MARKER);

  await page.keyboard.press("4");
  await page.keyboard.press("Enter");
  await expect(output).toContainText("Open answer 2");
  expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();

  await page.keyboard.press("s");
  await page.getByLabel("Reason for skipping (optional)").fill("I do not read this language");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Skipped. You will not see that item again.")).toBeVisible();
  await expect(output).toContainText("Open answer 3");

  await page.keyboard.press("f");
  await expect(page.getByRole("dialog", { name: "Flag this item" })).toBeVisible();
  await page.keyboard.press("2");
  await expect(page.getByText("Flagged for the researchers. Thank you.")).toBeVisible();
  await expect(output).toContainText("Open answer 4");

  // The researcher sees Ada's work and the flag, and can exclude her from reports.
  const researcher = await browser.newPage();
  await signIn(researcher, "researcher@margin.demo");
  await researcher.goto("/campaigns/e2e-open/contributors");
  const people = researcher.getByRole("table", { name: "Contributors" });
  await expect(people.getByRole("row", { name: /Ada/ })).toContainText("1");
  const flags = researcher.getByRole("table", { name: "Flagged items" });
  await expect(flags.getByRole("row", { name: /open-3/ })).toContainText("broken");
  await people.getByRole("button", { name: /Exclude Ada/ }).click();
  await expect(people.getByRole("row", { name: /Ada/ }).getByText("excluded")).toBeVisible();
  await researcher.close();

  // Contributors cannot open the researcher's view.
  await page.goto("/campaigns/e2e-open/contributors");
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
});

test("a pairwise item shows two outputs in a randomised order and stores the choice in the item's own terms", async ({ page }) => {
  await signIn(page, "ada@margin.demo");
  await page.goto("/campaigns/e2e-pairwise/rate");
  await page.getByRole("button", { name: "Join and start rating" }).click();
  const left = page.getByRole("region", { name: "Response A" });
  await expect(left).toContainText(/CANONICAL-[AB] answer/);
  await expect(page.getByRole("region", { name: "Response B" })).toContainText(/CANONICAL-[AB] answer/);
  await page.locator("[data-keys-ready]").waitFor();
  const leftIsCanonicalA = (await left.innerText()).includes("CANONICAL-A");
  await page.keyboard.press("a");
  await expect(page.getByRole("button", { name: /A is better/ })).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("Enter");
  await expect(page.getByText("You are all caught up")).toBeVisible();

  await page.goto("/campaigns/e2e-pairwise/history");
  await expect(page.getByLabel("Rating")).toHaveValue(leftIsCanonicalA ? "A" : "B");
  // Editing is recorded.
  await page.getByLabel("Rating").selectOption("tie");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("edited 1×")).toBeVisible();
});

test("a closed door: anonymous and bad submissions get clear 4xx answers", async ({ page }) => {
  const anon = await page.request.post("/api/campaigns/multilingual-helpfulness/assignments/next");
  expect(anon.status()).toBe(401);
  await signIn(page, "ada@margin.demo");
  const origin = { origin: new URL(page.url()).origin };
  const next = await page.request.post("/api/campaigns/multilingual-helpfulness/assignments/next", { headers: origin });
  const { item } = (await next.json()) as { item: { assignmentId: number } };
  const off = await page.request.post("/api/campaigns/multilingual-helpfulness/judgments", { headers: origin, data: { assignmentId: item.assignmentId, value: 7 } });
  expect(off.status()).toBe(400);
  expect(((await off.json()) as { error: { field: string } }).error.field).toBe("value");
  // An id that is not one of your leases (someone else's, or none) is not found.
  const notMine = await page.request.post("/api/campaigns/multilingual-helpfulness/judgments", { headers: origin, data: { assignmentId: 999_999_999, value: 3 } });
  expect(notMine.status()).toBe(404);
  const crossSite = await page.request.post("/api/campaigns/multilingual-helpfulness/judgments", { headers: { origin: "https://evil.example" }, data: { assignmentId: item.assignmentId, value: 3 } });
  expect(crossSite.status()).toBe(403);
});

test("a submit during an outage waits, is sent again and is stored once", async ({ page }) => {
  await signIn(page, "ada@margin.demo");
  await page.goto(`${DEMO}/rate`);
  await page.locator("[data-keys-ready]").waitFor();
  const before = await ratedCount(page);

  // Attempt 1 reaches the server and is stored, but its answer is lost (connection reset); attempt 2 meets a
  // database outage (503, Retry-After: 1); attempt 3 gets through. The server must replay, not double.
  const bodies: { assignmentId: number; value: number }[] = [];
  let attempt = 0;
  await page.route("**/api/campaigns/multilingual-helpfulness/judgments", async (route) => {
    attempt++;
    bodies.push(route.request().postDataJSON() as { assignmentId: number; value: number });
    if (attempt === 1) {
      const stored = await route.fetch();
      expect(stored.status()).toBe(200);
      return route.abort("connectionreset");
    }
    if (attempt === 2) return route.fulfill({ status: 503, headers: { "retry-after": "1" }, contentType: "application/json", body: JSON.stringify({ error: { code: "unavailable", message: "The database is unavailable." } }) });
    return route.continue();
  });

  await page.keyboard.press("3");
  await page.keyboard.press("Enter");
  await expect(page.getByText(/Waiting for the server… your rating is kept and will be sent when it is back \(attempt 2/)).toBeVisible();
  await expect(page.getByText("Saved. Here is the next item.")).toBeVisible({ timeout: 15_000 });
  expect(attempt).toBe(3);
  // Every attempt carried the same assignment and value.
  expect(new Set(bodies.map((b) => `${b.assignmentId}:${b.value}`)).size).toBe(1);
  await page.unroute("**/api/campaigns/multilingual-helpfulness/judgments");

  // One judgment: the server's own count moved by one, and sending it once more is a replay of the same judgment.
  await page.reload();
  await expect(progress(page)).toContainText(`${(before + 1).toLocaleString("en")} rated by you`);
  const again = await page.request.post("/api/campaigns/multilingual-helpfulness/judgments", { headers: { origin: new URL(page.url()).origin }, data: bodies[0] });
  expect(again.status()).toBe(200);
  expect(await again.json()).toMatchObject({ replayed: true });
});
