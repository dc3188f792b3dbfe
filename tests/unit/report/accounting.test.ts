import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { judgmentStatus } from "@/db/queries/report";

describe("what a report counts (judgmentStatus)", () => {
  const base = { version: 2, excluded: false, gold: false, itemVersion: 2, record: { version: 2, inSample: true } };
  it("counts a judgment on the recorded version of a sampled item by a rater in good standing", () => {
    expect(judgmentStatus(base)).toBe("counted");
  });
  it("sets everything else aside with its reason, in order of precedence", () => {
    expect(judgmentStatus({ ...base, gold: true, record: null })).toBe("gold");
    expect(judgmentStatus({ ...base, version: 1 })).toBe("superseded");
    expect(judgmentStatus({ ...base, version: 1, excluded: true })).toBe("superseded");
    // No record in the run: an item imported after it, or a version newer than the run.
    expect(judgmentStatus({ ...base, record: null })).toBe("outside_design");
    expect(judgmentStatus({ ...base, version: 1, itemVersion: 2, record: null })).toBe("superseded");
    expect(judgmentStatus({ ...base, excluded: true })).toBe("excluded_rater");
    expect(judgmentStatus({ ...base, record: { version: 2, inSample: false } })).toBe("outside_design");
    expect(judgmentStatus({ ...base, version: 3, itemVersion: 3 })).toBe("outside_design");
  });
  it("counts exactly when the version matches a sampled record and the rater is not excluded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 4 }), fc.option(fc.record({ version: fc.integer({ min: 1, max: 4 }), inSample: fc.boolean() }), { nil: null }), (version, excluded, gold, itemVersion, record) => {
        const counted = judgmentStatus({ version, excluded, gold, itemVersion, record }) === "counted";
        expect(counted).toBe(record !== null && record.inSample && record.version === version && !excluded);
      }),
    );
  });
});
