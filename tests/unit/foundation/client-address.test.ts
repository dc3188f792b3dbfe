import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { resolveClientAddress, trustedProxyHops } from "@/scripts/client-address.mjs";
import { clientIpFrom } from "@/lib/http/client-ip";

describe("client address", () => {
  it("takes the socket's peer and ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(resolveClientAddress("203.0.113.7", "198.51.100.1", 0)).toBe("203.0.113.7");
    expect(resolveClientAddress("::ffff:203.0.113.7", undefined, 0)).toBe("203.0.113.7");
    expect(resolveClientAddress("2001:DB8::1", "198.51.100.1", 0)).toBe("2001:db8::1");
  });

  it("trusts exactly the configured number of hops, counted from the right", () => {
    // client 198.51.100.9 → proxy A (appends it) → proxy B 10.0.0.1 (appends A's address 10.0.0.2) → us.
    const xff = "6.6.6.6, 198.51.100.9, 10.0.0.2";
    expect(resolveClientAddress("10.0.0.1", xff, 1)).toBe("10.0.0.2");
    expect(resolveClientAddress("10.0.0.1", xff, 2)).toBe("198.51.100.9");
    // A client-written entry is only reached by trusting more hops than exist in front.
    expect(resolveClientAddress("10.0.0.1", xff, 3)).toBe("6.6.6.6");
    expect(resolveClientAddress("10.0.0.1", ["6.6.6.6", "198.51.100.9"], 1)).toBe("198.51.100.9");
  });

  it("stops at the last vouched-for address when an entry is missing or malformed", () => {
    expect(resolveClientAddress("10.0.0.1", undefined, 2)).toBe("10.0.0.1");
    expect(resolveClientAddress("10.0.0.1", "evil, not-an-ip", 1)).toBe("10.0.0.1");
    expect(resolveClientAddress("10.0.0.1", "198.51.100.9, [2001:db8::2]", 1)).toBe("2001:db8::2");
    expect(resolveClientAddress(undefined, "198.51.100.9", 1)).toBeNull();
  });

  it("whatever the client writes, with no trusted hop the answer is the socket's peer", () => {
    fc.assert(
      fc.property(fc.string(), fc.ipV4(), (header, peer) => {
        expect(resolveClientAddress(peer, header, 0)).toBe(peer);
      }),
    );
  });

  it("reads TRUSTED_PROXY_HOPS strictly", () => {
    expect(trustedProxyHops(undefined)).toBe(0);
    expect(trustedProxyHops("")).toBe(0);
    expect(trustedProxyHops("2")).toBe(2);
    for (const bad of ["-1", "1.5", "eleven", "11", " 1"]) expect(() => trustedProxyHops(bad)).toThrow(/TRUSTED_PROXY_HOPS/);
  });

  it("the app reads only the header the server sets, never X-Forwarded-For", () => {
    expect(clientIpFrom(new Headers({ "x-forwarded-for": "6.6.6.6" }))).toBeNull();
    expect(clientIpFrom(new Headers({ "x-margin-client-ip": "203.0.113.7" }))).toBe("203.0.113.7");
    expect(clientIpFrom({ "x-margin-client-ip": "unknown" })).toBeNull();
    expect(clientIpFrom(undefined)).toBeNull();
  });
});
