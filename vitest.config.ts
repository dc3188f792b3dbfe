import { defineConfig } from "vitest/config";
import path from "node:path";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  test: {
    // An unhandled rejection or uncaught error anywhere in a test run fails the run (the default, kept explicit:
    // a fire-and-forget promise that rejects is a bug, e.g. a background routing run nobody awaits).
    dangerouslyIgnoreUnhandledErrors: false,
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          // next.config.js enables experimental.authInterrupts (forbidden() for pages); Next passes it to its code as this.
          env: { __NEXT_EXPERIMENTAL_AUTH_INTERRUPTS: "true" },
          hookTimeout: 120_000,
          // MARGIN_TEST_REPLICA=1: a streaming replica of DATABASE_URL's server for the whole run (reports and
          // exports read through it); otherwise a no-op.
          globalSetup: ["tests/integration/global-replica.ts"],
        },
      },
    ],
  },
});
