import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { loadableImage, Markdown, safeUrl } from "@/components/ui/markdown";

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
    expect(safeUrl("#top")).toBe("#top");
    for (const bad of ["//a.example", "/\\a.example", "\\\\a.example", "data:text/html,x", "vbscript:x", "mailto:x@y.org", "tel:+100", "ftp://a.example"]) expect(safeUrl(bad), bad).toBe("");
  });
});

describe("images on a campaign's listed hosts", () => {
  const withHosts = (md: string, hosts: string[]) => renderToStaticMarkup(Markdown({ children: md, imageHosts: hosts }));
  it("loads an https image on a listed host, without referrer; everything else stays a link", () => {
    const out = withHosts("![chart](https://Images.Example.org/c.png) ![x](http://images.example.org/p.png) ![y](https://evil.example/p.png) ![z](https://sub.images.example.org/p.png)", ["images.example.org"]);
    expect(out.match(/<img /g)).toHaveLength(1);
    expect(out).toContain('<img src="https://Images.Example.org/c.png" alt="chart" loading="lazy" referrerPolicy="no-referrer"');
    expect(out).toContain("[image: x — images.example.org, not loaded]");
    expect(out).toContain("[image: y — evil.example, not loaded]");
    expect(out).toContain("[image: z — sub.images.example.org, not loaded]");
  });
  it("decides by host exactly", () => {
    expect(loadableImage("https://images.example.org/a.png", ["images.example.org"])).toBe(true);
    expect(loadableImage("https://images.example.org.evil.example/a.png", ["images.example.org"])).toBe(false);
    expect(loadableImage("https://user@evil.example/a.png", ["user"])).toBe(false);
    expect(loadableImage("https://images.example.org/a.png", [])).toBe(false);
    expect(loadableImage("//images.example.org/a.png", ["images.example.org"])).toBe(false);
  });
});
