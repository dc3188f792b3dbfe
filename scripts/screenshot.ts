// Screenshot pages in headless Debian Chromium: tsx scripts/screenshot.ts URL OUT.png [email password] [width]
import { chromium } from "@playwright/test";
import { chromiumLaunchOptions } from "../tests/e2e/chromium";

const [url, out, email, password, width] = process.argv.slice(2);
if (!url || !out) {
  console.error("usage: tsx scripts/screenshot.ts URL OUT.png [email password] [width]");
  process.exit(2);
}
const browser = await chromium.launch(chromiumLaunchOptions());
const page = await browser.newPage({ viewport: { width: Number(width ?? 1280), height: 900 } });
if (email && password) {
  const origin = new URL(url).origin;
  await page.goto(`${origin}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"));
}
await page.goto(url, { waitUntil: "networkidle" });
// Client charts measure their container after hydration.
await page.locator(".recharts-surface").first().waitFor({ timeout: 3000 }).catch(() => undefined);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
console.log(out);
