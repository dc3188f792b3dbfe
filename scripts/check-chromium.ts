// Fails the e2e step with an install hint when Chromium is missing, instead of skipping the browser tests.
import fs from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  console.error(
    `margin: Chromium not found at ${chromium}. The end-to-end tests need it.\n` +
      "  Install Debian's Chromium:  sudo apt-get install -y chromium\n" +
      "  or point CHROMIUM_PATH at an existing Chromium/Chrome binary.",
  );
  process.exit(1);
}
