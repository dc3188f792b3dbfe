import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

/**
 * Markdown for untrusted text (guidelines, model outputs). react-markdown builds React elements and ignores
 * raw HTML, so a <script> or an onerror attribute is shown as text, never run; links are limited to safe
 * protocols (javascript: becomes an empty href).
 */
export function Markdown({ children }: { children: string }) {
  return (
    <div className="prose-margin">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        skipHtml
        urlTransform={(url) => (/^(https?:|mailto:|#|\/)/i.test(url) ? url : "")}
        components={{ a: ({ href, children }) => <a href={href} rel="noopener noreferrer nofollow" target="_blank">{children}</a> }}
      >
        {children}
      </ReactMarkdown>
    </div>
  );
}
