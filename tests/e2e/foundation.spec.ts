import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test("the landing page says what Margin does", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("AI judge");
  await page.getByRole("link", { name: "Browse campaigns" }).click();
  await expect(page.getByRole("heading", { name: "Campaigns" })).toBeVisible();
});

test("anyone can open the demo campaign and see its coverage by language", async ({ page }) => {
  await page.goto("/campaigns");
  await page.getByRole("link", { name: "Multilingual helpfulness" }).click();
  await expect(page.getByRole("heading", { name: "Multilingual helpfulness" })).toBeVisible();
  const table = page.getByRole("table", { name: "Coverage by group" });
  await expect(table.getByRole("row")).toHaveCount(13);
  await expect(table.getByRole("cell", { name: "qu", exact: true })).toBeVisible();
  // The routing design (seed, thresholds) is for researchers and auditors only.
  await expect(page.getByText("Routing seed")).toHaveCount(0);
});

test("a wrong password gets one message that does not say whether the email exists", async ({ page }) => {
  for (const email of ["researcher@margin.demo", "nobody@margin.demo"]) {
    await page.goto("/signin");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "incorrect" })).toHaveText("Email or password is incorrect.");
  }
});

test("the researcher signs in, sees the routing design of their campaign, and signs out", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness");
  await expect(page.getByText("you: owner")).toBeVisible();
  await expect(page.getByText("demo-routing-2026")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("a contributor sees the campaign but not the judge's routing design", async ({ page }) => {
  await signIn(page, "ada@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness");
  await expect(page.getByText("you: annotator")).toBeVisible();
  await expect(page.getByText("demo-routing-2026")).toHaveCount(0);
  const html = await page.content();
  expect(html).not.toContain("judge_score");
  expect(html).not.toContain("judgeRationale");
});

test("an unknown campaign shows a proper not-found page", async ({ page }) => {
  const res = await page.goto("/campaigns/does-not-exist");
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  expect(res?.status()).toBeLessThan(500);
});

test("every page says what it may load: CSP with no remote images or frames, Permissions-Policy, nosniff", async ({ page }) => {
  const res = await page.request.get("/campaigns");
  const csp = res.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("img-src 'self' data: blob:");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(res.headers()["permissions-policy"]).toContain("camera=()");
  expect(res.headers()["x-content-type-options"]).toBe("nosniff");
  // The policy does not break the app: a signed-in page renders and hydrates (the chart draws) under it.
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/report");
  await expect(page.getByRole("figure", { name: "Tail-gap chart" }).locator(".recharts-bar-rectangle").first()).toBeVisible();
  expect(errors).toEqual([]);
});
