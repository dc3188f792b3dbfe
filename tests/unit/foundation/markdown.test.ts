import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown, safeUrl } from "@/components/ui/markdown";

const html = (md: string) => renderToStaticMarkup(createElement(Markdown, null, md));

describe("untrusted markdown stays inert", () => {
  it("does not load remote images: a link naming the host instead", () => {
    const out = html("![pixel](https://evil.example/pixel.png) and ![](//evil.example/p.png)");
    expect(out).not.toMatch(/<img/);
    expect(out).toContain("[image: pixel — evil.example, not loaded]");
    expect(out).not.toContain("//evil.example/p.png");
  });
  it("drops protocol-relative, backslash and script URLs; marks links and shows where they go", () => {
    const out = html("[a](//evil.example/phish) [b](/\\evil.example) [c](javascript:alert(1)) [d](https://ok.example/x) [e](/campaigns)");
    expect(out).not.toMatch(/href="\/\/|href="javascript|evil\.example/);
    expect(out).toContain('href="https://ok.example/x" rel="noopener noreferrer nofollow" target="_blank"');
    expect(out).toContain("(ok.example)");
    expect(out).toContain('href="/campaigns"');
    // Dropped URLs keep their words, without a link.
    expect(out).toMatch(/<span title="Link removed[^"]*">a<\/span>/);
    expect(out).not.toMatch(/<a[^>]*>\s*c\s*<\/a>/);
  });
  it("renders raw HTML as nothing", () => {
    expect(html('<img src="https://evil.example/x.png" onerror="alert(1)"><script>alert(1)</script>')).not.toMatch(/<img|<script|onerror/);
  });
  it("keeps only safe URL forms", () => {
    expect(safeUrl("https://a.example/b")).toBe("https://a.example/b");
    expect(safeUrl("mailto:x@y.org")).toBe("mailto:x@y.org");
    expect(safeUrl("#top")).toBe("#top");
    for (const bad of ["//a.example", "/\\a.example", "\\\\a.example", "data:text/html,x", "vbscript:x", "ftp://a.example"]) expect(safeUrl(bad), bad).toBe("");
  });
});
