import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import { sameOriginPath } from "@/lib/http/safe-redirect";

/**
 * Where a link or image in untrusted markdown may point: http(s) URLs, fragments, and paths on this site
 * (normalised as a browser would, so `//host` or `/\host` cannot slip through as a path). Anything else — other
 * protocols (javascript:, data:, mailto:, which would open a mail program), protocol-relative URLs — becomes an
 * empty href.
 */
export function safeUrl(url: string): string {
  if (/^https?:\/\//i.test(url)) return url;
  if (url.startsWith("#")) return url;
  if (url.startsWith("/") || url.startsWith("\\")) return sameOriginPath(url) ?? "";
  return "";
}

function hostOf(url: string | undefined): string | null {
  if (!url || !/^https?:\/\//i.test(url)) return null;
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** Whether an image URL may be loaded: https, on one of the campaign's allowed hosts (exact, case-insensitive). */
export function loadableImage(url: string, imageHosts: readonly string[]): boolean {
  if (imageHosts.length === 0 || !/^https:\/\//i.test(url)) return false;
  const host = hostOf(url);
  return host !== null && imageHosts.includes(host.toLowerCase());
}

/**
 * Markdown for untrusted text (guidelines, model outputs, rationales). react-markdown builds React elements and
 * ignores raw HTML, so a <script> or an onerror attribute is shown as text, never run. Nothing in it reaches out on
 * its own: a remote image is not loaded (a tracking pixel would tell its owner who rates what) but shown as a link
 * naming its host, unless the campaign lists that host (`imageHosts`; the page's CSP allows the same hosts);
 * links open in a new tab without referrer or opener and say where they go.
 */
export function Markdown({ children, imageHosts = [], lang }: { children: string; imageHosts?: readonly string[]; lang?: string }) {
  return (
    <div className="prose-margin" dir="auto" lang={lang}>
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        urlTransform={safeUrl}
        components={{
          // Every block takes its direction from its own first strong character: an Arabic answer runs right to
          // left and an English one left to right, whatever the page's direction (see .prose-margin in globals.css).
          p: ({ children }) => <p dir="auto">{children}</p>,
          li: ({ children }) => <li dir="auto">{children}</li>,
          blockquote: ({ children }) => <blockquote dir="auto">{children}</blockquote>,
          td: ({ children }) => <td dir="auto">{children}</td>,
          th: ({ children }) => <th dir="auto">{children}</th>,
          h1: ({ children }) => <h1 dir="auto">{children}</h1>,
          h2: ({ children }) => <h2 dir="auto">{children}</h2>,
          h3: ({ children }) => <h3 dir="auto">{children}</h3>,
          h4: ({ children }) => <h4 dir="auto">{children}</h4>,
          h5: ({ children }) => <h5 dir="auto">{children}</h5>,
          h6: ({ children }) => <h6 dir="auto">{children}</h6>,
          pre: ({ children }) => <pre dir="auto">{children}</pre>,
          a: ({ href, children }) => {
            // A URL safeUrl dropped: the words stay, the link goes.
            if (!href) return <span title="Link removed: not a web address on this site or elsewhere">{children}</span>;
            const host = hostOf(href);
            return (
              <a href={href} rel="noopener noreferrer nofollow" target="_blank">
                {children}
                {host && <span className="ml-1 text-xs text-slate-500">({host})</span>}
              </a>
            );
          },
          img: ({ src, alt }) => {
            // Never loaded: a link the reader may choose to open.
            const url = typeof src === "string" ? src : "";
            const host = hostOf(url);
            if (!url) return <span className="text-slate-500">[image{alt ? `: ${alt}` : ""}]</span>;
            // eslint-disable-next-line @next/next/no-img-element -- remote, untrusted, on a host the campaign allows
            if (loadableImage(url, imageHosts)) return <img src={url} alt={alt ?? ""} loading="lazy" referrerPolicy="no-referrer" className="max-h-96 max-w-full" />;
            return (
              <a href={url} rel="noopener noreferrer nofollow" target="_blank" className="text-slate-600">
                [image{alt ? `: ${alt}` : ""}{host ? ` — ${host}` : ""}, not loaded]
              </a>
            );
          },
        }}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}
