import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdFilter } from "@/lib/ingest/id-filter";

describe("IdFilter (the import's Bloom filter over written ids)", () => {
  it("never forgets an id it was given (no false negatives), for any strings", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "grapheme", maxLength: 40 }), { maxLength: 300 }), (ids) => {
        const f = new IdFilter(12);
        for (const id of ids) f.add(id);
        return ids.every((id) => f.mightHave(id));
      }),
    );
  });

  it("says no to ids it was not given, at about the rate the sizing promises", () => {
    // 2^20 bits, 7 hashes, 65,536 ids: theory gives (1 - e^(-7/16))^7 ≈ 0.07% false positives.
    const f = new IdFilter(20);
    for (let i = 0; i < 65_536; i++) f.add(`item-${i}`);
    let fp = 0;
    for (let i = 0; i < 100_000; i++) if (f.mightHave(`other-${i}`)) fp++;
    expect(fp / 100_000).toBeLessThan(0.003);
    expect(new IdFilter(20).mightHave("item-1")).toBe(false);
  });

  it("refuses a nonsensical size", () => {
    expect(() => new IdFilter(3)).toThrow(RangeError);
    expect(() => new IdFilter(31)).toThrow(RangeError);
  });
});
