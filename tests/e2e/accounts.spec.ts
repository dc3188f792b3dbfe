import { expect, test } from "@playwright/test";
import { signIn, signUp } from "./helpers";

test("a new contributor signs up, joins a public campaign, signs out and signs back in", async ({ page }) => {
  const email = `newcomer-${Date.now()}@example.org`;
  await page.goto("/signup");
  await page.getByLabel("Name").fill("Newcomer");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please fix the highlighted fields." })).toBeVisible();
  // The form keeps what was typed (except the password) after a failed submit.
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await page.getByLabel("Password").fill("a-long-enough-password");
  await page.getByLabel("Languages you read well (optional)").fill("sw, yo");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Campaigns" })).toBeVisible();
  await expect(page.getByText("contributor", { exact: true })).toBeVisible();
  await page.goto("/campaigns/multilingual-helpfulness");
  await page.getByRole("link", { name: "Join and rate" }).click();
  await page.getByRole("button", { name: "Join and start rating" }).click();
  await expect(page.getByRole("heading", { name: "Rate: Multilingual helpfulness" })).toBeVisible();
  await page.locator("[data-keys-ready]").waitFor();
  await page.goto("/campaigns/multilingual-helpfulness");
  await expect(page.getByText("you: annotator")).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await signIn(page, email, "a-long-enough-password");
});

test("a contributor opening a researcher page sees a proper 403 page", async ({ page }) => {
  await signIn(page, "bayo@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness/members");
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
});

test("an admin promotes a contributor, and the audit trail shows it", async ({ page }) => {
  await signIn(page, "admin@margin.demo");
  await page.goto("/admin/users?q=chen");
  const row = page.getByRole("row", { name: /Chen Contributor/ });
  await row.getByRole("combobox", { name: "Role of Chen Contributor" }).selectOption("researcher");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByRole("status")).toHaveText("Role updated.");
  await page.goto("/admin/audit?action=user.role_change");
  await expect(page.getByRole("cell", { name: "user.role_change" }).first()).toBeVisible();
  await expect(page.getByText('"to":"researcher"')).toBeVisible();
});

test("a researcher creates an API key, uses it, and revokes it", async ({ page, request }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/settings/api-keys");
  await page.getByLabel("Key name").fill("e2e pipeline");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())!.trim();
  expect(key).toMatch(/^mgn_/);
  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ email: "researcher@margin.demo", via: "api_key" });
  await page.reload();
  await page.getByRole("button", { name: "Revoke e2e pipeline" }).click();
  // Revoking is final: a dialog names the consequence first.
  await page.getByRole("dialog", { name: /Revoke the key/ }).getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("row", { name: /e2e pipeline/ }).getByText("revoked")).toBeVisible();
  const after = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
  expect(await after.json()).toMatchObject({ error: { code: "unauthorized" } });
});

test("a researcher invites an auditor by email to the campaign", async ({ page }) => {
  await signIn(page, "researcher@margin.demo");
  await page.goto("/campaigns/multilingual-helpfulness");
  await page.getByRole("link", { name: "Members" }).click();
  await page.getByLabel("Email").fill("future-auditor@example.org");
  await page.getByLabel("Role").selectOption("auditor");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status")).toContainText("joins as auditor when they sign up");
  await expect(page.getByRole("table", { name: "Pending invitations" }).getByRole("cell", { name: "future-auditor@example.org", exact: true })).toBeVisible();
});

test("a contributor changes their password: every session ends, the old password fails, the new one works", async ({ page, browser }) => {
  const email = `changer-${Date.now()}@example.org`;
  await signUp(page, "Changer", email, "first-long-password");
  await expect(page.getByRole("heading", { name: "Campaigns" })).toBeVisible();
  // A second browser session of the same person.
  const other = await browser.newPage();
  await signIn(other, email, "first-long-password");

  await page.goto("/settings/privacy");
  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password", { exact: true }).fill("second-long-password");
  await page.getByLabel("New password again").fill("second-long-password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Your current password is not right")).toBeVisible();
  await page.getByLabel("Current password").fill("first-long-password");
  await page.getByLabel("New password", { exact: true }).fill("second-long-password");
  await page.getByLabel("New password again").fill("second-long-password");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Margin" })).toBeVisible();
  // The other session is over too.
  await other.goto("/settings/privacy");
  await expect(other.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Sign in" })).toBeVisible();
  await other.close();

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("first-long-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  await signIn(page, email, "second-long-password");
});
