import { describe, expect, it } from "vitest";
import { languageTag } from "@/db/queries/assign";

describe("languageTag: an item's metadata language becomes a lang attribute only when it is a BCP 47 tag", () => {
  it("keeps well-formed tags", () => {
    for (const t of ["en", "ar", "pt-BR", "zh-Hant", "yue", "sr-Latn-RS", "am"]) expect(languageTag(t)).toBe(t);
  });
  it("drops anything else a metadata field may hold", () => {
    for (const t of [null, undefined, "", "e", "en_US", "en-", "ar\"onload=x", "a".repeat(40), "fr fr", "日本語"]) expect(languageTag(t)).toBeNull();
  });
});
