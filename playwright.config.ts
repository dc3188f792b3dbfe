import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./tests/e2e/chromium";

const port = Number(process.env.E2E_PORT ?? 3100);

// End-to-end tests in Debian's Chromium against a production build (scripts/e2e-server.ts builds it, gives it
// a fresh database with the demo seed, and serves it). No browser is ever downloaded.
export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  globalSetup: "./tests/e2e/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: chromiumLaunchOptions(),
    trace: "off",
  },
  webServer: {
    command: `npx tsx scripts/e2e-server.ts`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { E2E_PORT: String(port) },
    // SIGTERM (not the default SIGKILL) so scripts/e2e-server.ts drops its throwaway database on the way out.
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
  },
});
