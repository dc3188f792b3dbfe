import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

// Dark mode follows the system setting (app/globals.css). Each main page, in dark, has a dark background and no
// serious or critical axe-core colour-contrast violation.
const AXE = fs.readFileSync(path.join(process.cwd(), "node_modules/axe-core/axe.min.js"), "utf8");

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[]; failureSummary?: string }[] };

async function axe(page: Page): Promise<Violation[]> {
  // Evaluated through the devtools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Violation[] }> } }).axe.run(document, { runOnly: { type: "rule", values: ["color-contrast"] }, resultTypes: ["violations"] }),
  )) as { violations: Violation[] };
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

const PAGES = [
  "/campaigns",
  "/campaigns/multilingual-helpfulness",
  "/campaigns/multilingual-helpfulness/import",
  "/campaigns/multilingual-helpfulness/exports",
  "/campaigns/multilingual-helpfulness/members",
  "/admin/audit",
  "/admin/users",
];

test("the main pages render in dark mode with enough contrast", async ({ page }) => {
  test.setTimeout(120_000);
  await page.emulateMedia({ colorScheme: "dark" });
  await signIn(page, "admin@margin.demo");
  for (const p of PAGES) {
    await page.goto(p);
    await page.waitForLoadState("networkidle");
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // A dark body: every channel low (oklch(12.9% …) is about rgb(2, 6, 24)).
    const channels = (bg.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    expect(channels.every((c) => c < 60), `${p}: body background ${bg}`).toBe(true);
    const card = page.locator("section, form").first();
    if (await card.count()) {
      const cardBg = await card.evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(cardBg, `${p}: a card or form is not white`).not.toMatch(/rgb\(255, 255, 255\)/);
    }
    const violations = await axe(page);
    expect(violations.map((v) => `${p}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  }
});

test("the favicon is served", async ({ page }) => {
  await page.goto("/signin");
  const href = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(href).toBeTruthy();
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("image/svg+xml");
});
