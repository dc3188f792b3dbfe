// Margin's production HTTP server: Next's request handler behind a plain Node server, so the client's address
// comes from the socket (Next's route handlers cannot see it) and rate limits key on what the client cannot
// choose. Every request gets the x-margin-client-ip header set here, replacing anything the client sent.
// Usage: node scripts/serve.mjs (PORT, HOSTNAME, TRUSTED_PROXY_HOPS from the environment; NODE_ENV=production).
import http from "node:http";
import next from "next";
import { CLIENT_ADDRESS_HEADER, resolveClientAddress, trustedProxyHops } from "./client-address.mjs";

let hops;
try {
  hops = trustedProxyHops(process.env.TRUSTED_PROXY_HOPS);
} catch (e) {
  console.error(`margin: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME || undefined;
const app = next({ dev: false, dir: process.cwd(), port, hostname: hostname ?? "localhost" });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  req.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], hops) ?? "unknown";
  handle(req, res).catch((e) => {
    console.error("[serve] unhandled", e);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    }
  });
});
// Longer than a typical proxy's idle timeout, so a proxy never reuses a socket this server just closed.
server.keepAliveTimeout = 65_000;
server.listen(port, hostname, () => {
  console.log(`margin: listening on ${hostname ?? "*"}:${port}${hops ? ` (trusting ${hops} proxy hop${hops > 1 ? "s" : ""})` : ""}`);
});
let closing = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    server.close(() => process.exit(0));
    server.closeIdleConnections?.();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
