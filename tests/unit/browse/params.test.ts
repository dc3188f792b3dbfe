import { describe, expect, it } from "vitest";
import { browseSearch, canonicalFormSearch, decodeCursor, encodeCursor, filterHash, parseBrowseParams, parseRange } from "@/lib/browse/params";

const likert = { rubric: { type: "likert" as const, min: 1, max: 5 } };
const parse = (q: string, ctx = likert) => parseBrowseParams(new URLSearchParams(q), ctx);

describe("item browser parameters", () => {
  it("reads ranges: [lo, hi), open ends, one value, none; refuses the rest", () => {
    expect(parseRange("0.1..0.2")).toEqual({ lo: 0.1, hi: 0.2 });
    expect(parseRange("0.9..")).toEqual({ lo: 0.9, hi: null });
    expect(parseRange("..1")).toEqual({ lo: null, hi: 1 });
    expect(parseRange("1")).toEqual({ eq: 1 });
    expect(parseRange(".5..1")).toEqual({ lo: 0.5, hi: 1 });
    expect(parseRange("none")).toEqual({ none: true });
    for (const bad of ["..", "0.5..0.5", "0.8..0.2", "2", "-1..0", "a..b", "0.1...0.2", "1e-3", ""]) expect(parseRange(bad), bad).toBeNull();
  });

  it("parses every facet, sort and page size, and names what it does not know", () => {
    const { query, issues } = parse("meta.language=sw&meta.source=web&tail=0.9..&reason=tail&judge=3.5&consensus=4&agree=no&flags=open&changed=yes&pi=1&confidence=..0.5&sort=tail&dir=desc&limit=20");
    expect(issues).toEqual([]);
    expect(query).toMatchObject({ sort: "tail", dir: "desc", limit: 20, cursor: null });
    expect(query.filter).toEqual({
      meta: [["language", "sw"], ["source", "web"]],
      tail: { lo: 0.9, hi: null },
      reason: "tail",
      judge: 3.5,
      consensus: 4,
      agree: "no",
      flags: "open",
      changed: "yes",
      pi: { eq: 1 },
      confidence: { lo: null, hi: 0.5 },
    });
    expect(parse("colour=red").issues).toEqual([expect.objectContaining({ field: "colour", kind: "unknown_facet" })]);
    expect(parse("sort=colour").issues).toEqual([expect.objectContaining({ field: "sort", kind: "unknown_sort" })]);
    expect(parse("consensus=3.5").issues[0]).toMatchObject({ field: "consensus", kind: "bad_value" });
    expect(parse("judge=9").issues[0]).toMatchObject({ field: "judge" });
    expect(parse("reason=lucky").issues[0]).toMatchObject({ field: "reason" });
    expect(parse("limit=0").issues[0]).toMatchObject({ field: "limit" });
    expect(parse("tail=0.1&tail=0.2").issues[0]).toMatchObject({ field: "tail" });
    expect(parse("meta.=x").issues[0]).toMatchObject({ field: "meta." });
    // Empty fields of the form mean "any".
    expect(parse("tail=&reason=").issues).toEqual([]);
    const cat = parse("judge=good", { rubric: { type: "categorical", options: ["good", "bad"] } } as never);
    expect(cat.query.filter.judge).toBe("good");
  });

  it("binds a cursor to its filter and sort (not to the order of parameters or the page size)", () => {
    const a = parse("reason=tail&meta.b=2&meta.a=1&sort=tail").query;
    const b = parse("sort=tail&meta.a=1&reason=tail&meta.b=2&limit=7").query;
    expect(filterHash(a)).toBe(filterHash(b));
    expect(filterHash(a)).not.toBe(filterHash(parse("reason=tail&meta.b=2&meta.a=1&sort=tail&dir=desc").query));
    const cursor = encodeCursor({ h: filterHash(a), v: 0.5, id: 42 });
    expect(decodeCursor(cursor)).toEqual({ h: filterHash(a), v: 0.5, id: 42 });
    expect(parse(`sort=tail&reason=tail&meta.a=1&meta.b=2&cursor=${cursor}`).query.cursor).toEqual({ h: filterHash(a), v: 0.5, id: 42 });
    expect(parse(`sort=tail&reason=control&meta.a=1&meta.b=2&cursor=${cursor}`).issues[0]).toMatchObject({ field: "cursor", kind: "bad_cursor" });
    for (const bad of ["x", "!!", Buffer.from("[1,2]").toString("base64url"), Buffer.from('["h", {}, 1]').toString("base64url"), Buffer.from('["h", 1, -1]').toString("base64url")]) expect(decodeCursor(bad), bad).toBeNull();
  });

  it("writes a query back as its canonical address, and canonicalises the form's submission", () => {
    const { query } = parse("tail=0.9..&meta.language=sw&sort=id&dir=asc&agree=yes");
    expect(browseSearch({ ...query, cursor: null }).toString()).toBe("meta.language=sw&tail=0.9..&agree=yes");
    expect(canonicalFormSearch({ "meta.language": "sw", tail: "", mk: "source", mv: "web", sort: "id", dir: "asc", reason: "tail" })).toBe("meta.language=sw&reason=tail&meta.source=web");
    expect(canonicalFormSearch({ mk: "", mv: "" })).toBe("");
    expect(canonicalFormSearch({ reason: "tail" })).toBeNull();
  });
});
