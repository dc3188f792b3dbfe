import fs from "node:fs";

// Fail loudly (never skip) when the browser is missing.
export default function globalSetup() {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!fs.existsSync(chromium)) {
    throw new Error(`Chromium not found at ${chromium}. Install it: sudo apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
}
