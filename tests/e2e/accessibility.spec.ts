// Accessibility as a test: axe-core on every page a role can reach, at a desktop and a phone size, fails on any
// serious or critical violation; and no page is wider than the phone's screen. (The rating page of an empty
// campaign, the item page and the dialogs are covered by the specs that open them; dark mode by dark-mode.spec.ts.)
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

const AXE = fs.readFileSync(path.join(process.cwd(), "node_modules/axe-core/axe.min.js"), "utf8");
type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the devtools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Violation[] }> } }).axe.run(document, { resultTypes: ["violations"] }),
  )) as { violations: Violation[] };
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

const DEMO = "/campaigns/multilingual-helpfulness";
const ROLES: { role: string; email: string | null; pages: string[] }[] = [
  { role: "visitor", email: null, pages: ["/", "/signin", "/signup", "/campaigns", DEMO] },
  { role: "contributor", email: "ada@margin.demo", pages: ["/", "/contribute", "/settings/api-keys", "/settings/privacy", DEMO, `${DEMO}/rate`, `${DEMO}/history`] },
  {
    role: "researcher",
    email: "researcher@margin.demo",
    pages: ["/campaigns/new", DEMO, `${DEMO}/overview`, `${DEMO}/report`, `${DEMO}/plan`, `${DEMO}/items`, `${DEMO}/exports`, `${DEMO}/edit`, `${DEMO}/import`, `${DEMO}/members`, `${DEMO}/contributors`],
  },
  { role: "admin", email: "admin@margin.demo", pages: ["/admin/users", "/admin/audit"] },
];
const SIZES = [
  { name: "desktop", width: 1366, height: 768 },
  { name: "phone", width: 390, height: 844 },
];

for (const { role, email, pages } of ROLES) {
  test(`every page for a ${role} passes axe (serious, critical) at desktop and phone sizes, no wider than the screen`, async ({ page }) => {
    test.setTimeout(180_000);
    if (email) await signIn(page, email);
    const problems: string[] = [];
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const p of pages) {
        const res = await page.goto(p);
        expect(res?.status(), `${p} answered`).toBeLessThan(400);
        await page.waitForLoadState("networkidle");
        for (const v of await seriousViolations(page)) problems.push(`${size.name} ${p}: ${v}`);
        const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
        if (scroll > inner) problems.push(`${size.name} ${p}: ${scroll}px wide in a ${inner}px viewport`);
      }
    }
    expect(problems).toEqual([]);
  });
}
