// Contributors everywhere: items in Arabic, Hebrew, Devanagari and Ethiopic, and one unbroken 600-character token,
// rated on a 390×844 phone by tapping only; no page is wider than a 360 px screen; Enter on a focused button or
// link does what that control does and nothing else; fonts for scripts the system lacks load only where used.
import { expect, test, type Page } from "@playwright/test";
import { signIn, signUp } from "./helpers";
import { SCRIPT_ITEMS } from "./fixtures/work-campaigns";

const PHONE = { width: 390, height: 844 };
const overflow = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));

async function expectNoOverflow(page: Page, where: string) {
  const { scroll, inner } = await overflow(page);
  expect(scroll, `${where}: page ${scroll}px wide in a ${inner}px viewport`).toBeLessThanOrEqual(inner);
}

test("rating tail-script items on a phone: right-to-left text, no overflow, thumb-sized controls, fonts on demand", async ({ page }) => {
  const fontFiles: string[] = [];
  page.on("request", (r) => {
    if (/\.woff2?(\?|$)/.test(r.url())) fontFiles.push(r.url());
  });
  await signUp(page, "Script Tester", `scripts-${Date.now()}@margin.test`, "a long enough password 1");
  // A Latin-only page asks for none of the script fonts.
  expect(fontFiles).toEqual([]);

  await page.setViewportSize(PHONE);
  await page.goto("/campaigns/e2e-scripts");
  await expectNoOverflow(page, "campaign page");
  await page.getByRole("link", { name: "Join and rate" }).click();
  await page.getByRole("button", { name: "Join and start rating" }).click();
  await expect(page.getByRole("heading", { name: "Rate: E2E scripts campaign" })).toBeVisible();

  const seen = new Set<string>();
  const progress = page.getByLabel("Progress");
  for (let n = 0; n < SCRIPT_ITEMS.length; n++) {
    // The progress count and the next item arrive in one render: wait for the count, then read the item.
    await expect(progress).toContainText(`${n} rated by you`);
    const output = page.getByRole("region", { name: "Output" });
    const text = (await output.innerText()).trim();
    const item = SCRIPT_ITEMS.find((it) => text.includes(it.output.slice(0, 20)));
    expect(item, `an unexpected item: ${text.slice(0, 80)}`).toBeDefined();
    seen.add(item!.externalId);
    await expectNoOverflow(page, item!.externalId);

    // The text is marked with the item's language (metadata), for screen readers and font selection.
    await expect(output.locator(".prose-margin").first()).toHaveAttribute("lang", item!.language);
    // Each block of untrusted text takes its own direction: Arabic and Hebrew right to left.
    const para = output.locator("p").first();
    await expect(para).toHaveAttribute("dir", "auto");
    const rtl = await para.evaluate((el) => el.matches(":dir(rtl)"));
    expect(rtl, `${item!.externalId} direction`).toBe(item!.language === "ar" || item!.language === "he");

    // Thumb-sized controls, all on screen.
    for (const name of ["3", "Submit and next", "Skip", "Flag"]) {
      const box = await page.getByRole("button", { name, exact: name === "3" }).first().boundingBox();
      expect(box, name).not.toBeNull();
      expect(box!.height, `${name} height`).toBeGreaterThanOrEqual(44);
      expect(box!.x + box!.width, `${name} right edge`).toBeLessThanOrEqual(PHONE.width);
    }

    if (item!.language === "am") {
      // Ethiopic is drawn with the self-hosted font (the system has none): its subset, and only it, is fetched.
      await page.evaluate(() => document.fonts.ready);
      await expect.poll(() => fontFiles.some((u) => u.includes("ethiopic-ethiopic"))).toBe(true);
    }

    // Rate by tapping: no keyboard.
    await page.getByRole("button", { name: "3", exact: true }).tap().catch(() => page.getByRole("button", { name: "3", exact: true }).click());
    await page.getByRole("button", { name: "Submit and next" }).click();
    await expect(progress).toContainText(`${n + 1} rated by you`);
    await expect(page.getByText(n + 1 < SCRIPT_ITEMS.length ? "Saved. Here is the next item." : "You are all caught up")).toBeVisible();
  }
  expect([...seen].sort()).toEqual(SCRIPT_ITEMS.map((it) => it.externalId).sort());
  // No font for a script that was never on screen (Thai, Tamil, Bengali).
  expect(fontFiles.filter((u) => /thai|tamil|bengali/.test(u))).toEqual([]);
});

test("no page is wider than a 360 px phone, for a contributor and for a researcher, and the menu reaches every link", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.setViewportSize({ width: 360, height: 740 });
  const pages = [
    "/",
    "/campaigns",
    "/contribute",
    "/settings/api-keys",
    "/settings/privacy",
    "/campaigns/multilingual-helpfulness",
    "/campaigns/multilingual-helpfulness/report",
    "/campaigns/multilingual-helpfulness/items",
    "/campaigns/multilingual-helpfulness/plan",
    "/campaigns/multilingual-helpfulness/exports",
    "/campaigns/multilingual-helpfulness/edit",
    "/campaigns/multilingual-helpfulness/rate",
  ];
  for (const path of pages) {
    await page.goto(path);
    await expectNoOverflow(page, path);
  }
  // The phone header: a Menu that opens every link and Sign out.
  await page.goto("/campaigns");
  await page.getByText("Menu", { exact: true }).click();
  for (const name of ["Campaigns", "My campaigns", "API keys", "Privacy"]) await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My campaigns" }).click();
  await expect(page).toHaveURL(/\/contribute$/);
  // Navigating closed the menu.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" })).toBeHidden();
  await page.getByText("Menu", { exact: true }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("Menu", { exact: true })).toBeVisible();
  await page.getByText("Menu", { exact: true }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
});

test("Enter on a focused Skip button opens Skip, Enter on a focused link follows it: neither submits a rating", async ({ page }) => {
  await signIn(page, "ada@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/rate");
  await page.locator("[data-keys-ready]").waitFor();
  const progress = page.getByLabel("Progress");
  const before = await progress.innerText();
  await page.keyboard.press("4");
  await expect(page.getByRole("button", { pressed: true })).toHaveCount(1);

  await page.getByRole("button", { name: /^Skip/ }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Skip this item" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Skip this item" })).toBeHidden();
  expect(await progress.innerText()).toBe(before);

  // A digit typed while a button has focus is that button's business, not a rating.
  await page.getByRole("button", { name: /^Flag/ }).focus();
  await page.keyboard.press("2");
  await expect(page.getByRole("button", { pressed: true })).toHaveCount(1);
  await expect(page.getByRole("button", { pressed: true })).toContainText("4");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My campaigns" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/contribute$/);
  await page.goto("/campaigns/multilingual-helpfulness/rate");
  await expect(progress).toHaveText(before);
});
