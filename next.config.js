/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships a WASM build and data files it loads from its own package folder at run time;
  // bundling it breaks those relative loads, so it stays a plain Node require on the server.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // forbidden() from next/navigation (a real 403 for pages, rendered by app/forbidden.tsx) is behind this flag.
  experimental: { authInterrupts: true },
  async headers() {
    // Pages get their Content-Security-Policy (with a per-request script nonce) from proxy.ts; API responses get
    // lib/http/csp.ts's API_CSP (kept in step by hand: this file is plain JavaScript). HSTS is decided at run time in
    // proxy.ts (these headers are fixed at build time, before the deployment's NEXTAUTH_URL is known).
    const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    return [
      {
        source: "/api/:path*",
        headers: [{ key: "Content-Security-Policy", value: apiCsp }],
      },
      {
        source: "/:path*",
        headers: [
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
