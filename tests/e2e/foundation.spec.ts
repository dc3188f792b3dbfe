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
  await expect(page.getByRole("heading", { name: "Campaign not found" })).toBeVisible();
  expect(res?.status()).toBe(404);
});

test("every page says what it may load: a per-response script nonce, no remote images or frames, Permissions-Policy, nosniff", async ({ page }) => {
  const res = await page.request.get("/campaigns");
  const csp = res.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("img-src 'self' data:;");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
  expect(scriptSrc).not.toContain("unsafe-inline");
  const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scriptSrc)?.[1];
  expect(nonce).toBeTruthy();
  // Every script Next wrote into the page carries this response's nonce, and the next response has another.
  const html = await res.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  const again = (await page.request.get("/campaigns")).headers()["content-security-policy"];
  expect(again).not.toBe(csp);
  expect(res.headers()["permissions-policy"]).toContain("camera=()");
  expect(res.headers()["x-content-type-options"]).toBe("nosniff");
  // The same headers on every kind of page: public, sign-in, campaign, not found, and a 400 address.
  for (const path of ["/", "/signin", "/signup", "/contribute", "/campaigns/multilingual-helpfulness", "/campaigns/multilingual-helpfulness/rate", "/campaigns/no-such-campaign", "/settings/privacy"]) {
    const r = await page.request.get(path);
    const h = r.headers();
    expect(h["content-security-policy"], path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(h["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(h["content-security-policy"], path).toContain("img-src 'self' data:");
    expect(h["permissions-policy"], path).toContain("camera=()");
    expect(h["x-content-type-options"], path).toBe("nosniff");
    expect(h["x-frame-options"], path).toBe("DENY");
    expect(r.status(), path).toBeLessThan(500);
  }
  expect((await page.request.get("/campaigns/%00")).status()).toBe(400);
  // API responses are data: nothing may run or load in them.
  expect((await page.request.get("/api/health")).headers()["content-security-policy"]).toContain("default-src 'none'");
  // The policy does not break the app: a signed-in page renders and hydrates (the chart draws) under it...
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/report");
  await expect(page.getByRole("figure", { name: "Tail-gap chart" }).locator(".recharts-bar-rectangle").first()).toBeVisible();
  expect(errors).toEqual([]);
  // ...and markup injected into the page cannot run script: no inline handler, no un-nonced script element.
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __injected?: boolean };
    const host = document.createElement("div");
    host.innerHTML = '<img src="/no-such-image.png" onerror="window.__injected = true">';
    document.body.appendChild(host);
    const frame = document.createElement("iframe");
    frame.srcdoc = "<script>parent.__injected = true<\/script>";
    document.body.appendChild(frame);
    await new Promise((r) => setTimeout(r, 500));
    return w.__injected === true;
  });
  expect(ran).toBe(false);
  expect(violations.length).toBeGreaterThan(0);
});

test("a server action posted from another origin is refused with 403, not a 500", async ({ page }) => {
  for (const origin of ["https://evil.example", "null"]) {
    const res = await page.request.post("/campaigns/new", {
      headers: { "next-action": "0123456789abcdef0123456789abcdef01234567", origin, "content-type": "text/plain;charset=UTF-8" },
      data: "[]",
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    expect((await res.json()).error.code).toBe("forbidden");
  }
});

test("sign-in throttling keys on the socket's address: a rotating X-Forwarded-For does not reset it", async ({ page }) => {
  const tryPassword = async (password: string, i: number) => {
    const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
    const res = await page.request.post("/api/auth/callback/credentials", {
      form: { csrfToken, email: "throttle-probe@margin.demo", password, callbackUrl: "/" },
      headers: { "x-forwarded-for": `198.51.100.${i}`, "x-margin-client-ip": `203.0.113.${i}` },
      maxRedirects: 0,
    });
    return res.headers()["location"] ?? "";
  };
  const outcomes: string[] = [];
  for (let i = 1; i <= 5; i++) outcomes.push(await tryPassword("wrong-password", i));
  // Three free failures, then this address must wait, whatever the headers claimed.
  expect(outcomes.slice(0, 3).every((l) => l.includes("error=CredentialsSignin"))).toBe(true);
  expect(outcomes.slice(3).every((l) => l.includes("error=Throttled"))).toBe(true);
  await page.goto("/signin?error=Throttled");
  await expect(page.getByText("Too many failed attempts for this account")).toBeVisible();
});
