/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships a WASM build and data files it loads from its own package folder at run time;
  // bundling it breaks those relative loads, so it stays a plain Node require on the server.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  async headers() {
    const dev = process.env.NODE_ENV !== "production";
    // Defence in depth for untrusted content: nothing loads from elsewhere (no remote images, scripts, frames or
    // connections), no plugins, no framing of Margin. Next's App Router bootstraps with inline scripts, hence
    // 'unsafe-inline' for scripts until they carry nonces; recharts sets inline styles. Dev adds eval for HMR.
    const csp = [
      "default-src 'self'",
      `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      `connect-src 'self'${dev ? " ws: wss:" : ""}`,
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join("; ");
    const https = (process.env.NEXTAUTH_URL ?? "").startsWith("https://");
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: csp },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          ...(https ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
        ],
      },
    ];
  },
};

export default nextConfig;
