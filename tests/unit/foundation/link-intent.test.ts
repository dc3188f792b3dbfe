import { describe, expect, it } from "vitest";
import { readLinkIntent, signLinkIntent } from "@/lib/auth/link-intent";

const KEY = "k".repeat(40);
const USER = "3f1c2a9e-1111-4a2b-9c3d-1234567890ab";

describe("the signed intent to link a sign-in provider", () => {
  it("reads back the user and provider it was signed for, for ten minutes", () => {
    const t = signLinkIntent(USER, "github", 1_000_000, KEY);
    expect(readLinkIntent(t, 1_000_000 + 9 * 60_000, KEY)).toEqual({ userId: USER, provider: "github" });
    expect(readLinkIntent(t, 1_000_000 + 10 * 60_000 + 1, KEY)).toBeNull();
  });
  it("refuses a changed user, provider or expiry, another key, and garbage", () => {
    const t = signLinkIntent(USER, "github", 1_000_000, KEY);
    const [u, p, exp, sig] = t.split(".") as [string, string, string, string];
    expect(readLinkIntent([u.replace("1111", "2222"), p, exp, sig].join("."), 1_000_000, KEY)).toBeNull();
    expect(readLinkIntent([u, "google", exp, sig].join("."), 1_000_000, KEY)).toBeNull();
    expect(readLinkIntent([u, p, String(Number(exp) + 3_600_000), sig].join("."), 1_000_000, KEY)).toBeNull();
    expect(readLinkIntent(t, 1_000_000, "x".repeat(40))).toBeNull();
    for (const bad of [undefined, "", "a.b.c", "a.b.c.d.e", `${u}.${p}.${exp}.`]) expect(readLinkIntent(bad, 1_000_000, KEY)).toBeNull();
  });
});
