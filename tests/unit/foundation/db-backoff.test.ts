import { describe, expect, it } from "vitest";
import { reconnectBackoffSeconds } from "@/db/client";

describe("pool reconnect backoff", () => {
  it("starts small and never waits more than 1 s, however many connects failed (postgres.js's default reaches 20 s)", () => {
    for (let n = 0; n <= 40; n++) {
      for (let k = 0; k < 20; k++) {
        const s = reconnectBackoffSeconds(n);
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThanOrEqual(1);
      }
    }
    expect(reconnectBackoffSeconds(0)).toBeLessThanOrEqual(0.05);
  });
});
