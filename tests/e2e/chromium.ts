import fs from "node:fs";
import type { LaunchOptions } from "@playwright/test";

/** Debian's Chromium with the flags that work on these machines (no browser download, ever). */
export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: install it with "sudo apt-get install -y chromium" or set CHROMIUM_PATH.`);
  }
  return {
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  };
}
