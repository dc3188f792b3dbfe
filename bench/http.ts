// npm run bench -- http [--duration 10] [--connections 10]
// Requests/s and p99 latency of the landing page and the demo campaign page, served by a production build on
// real PostgreSQL (fresh database, demo seed), with load from a second process (autocannon) on loopback.
// Saturation run → req_per_s; paced run at half that rate → p50/p99 (latency under a saturated closed loop
// only measures the queue).
import fs from "node:fs";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { seedDemo } from "@/db/seed";
import { freshDatabase, log, num } from "./lib";

type Cannon = { requests: { average: number }; latency: { p50: number; p99: number; average: number }; non2xx: number; errors: number };

function autocannon(url: string, args: string[]): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    const bin = path.join(process.cwd(), "node_modules", "autocannon", "autocannon.js");
    const child = spawn(process.execPath, [bin, "-j", ...args, url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as Cannon) : reject(new Error(`autocannon exited ${code}`))));
  });
}

async function waitFor(url: string, ms = 60_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not come up at ${url}`);
}

export default async function run(flags: Record<string, string>) {
  const duration = num(flags, "duration", 10);
  const connections = num(flags, "connections", 10);
  const port = String(num(flags, "port", 3900));
  const db = await freshDatabase(4);
  try {
    log("seeding demo campaign");
    await seedDemo(db.db);
    await db.close();
    const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
    if (!fs.existsSync(".next/BUILD_ID")) {
      log("building");
      const b = spawnSync(process.execPath, [nextBin, "build"], { stdio: ["ignore", 2, 2] });
      if (b.status !== 0) throw new Error("build failed");
    }
    const secret = randomBytes(32).toString("base64url");
    const server = spawn(process.execPath, [path.join(process.cwd(), "scripts", "serve.mjs")], {
      stdio: ["ignore", "ignore", 2],
      env: { ...process.env, NODE_ENV: "production", PORT: port, HOSTNAME: "127.0.0.1", DATABASE_URL: db.url, AUTH_SECRET: secret, NEXTAUTH_URL: `http://127.0.0.1:${port}` },
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(`${base}/api/health`);
      const routes = { landing: "/", campaign: "/campaigns/multilingual-helpfulness" };
      const results: Record<string, unknown> = {};
      for (const [name, route] of Object.entries(routes)) {
        await autocannon(base + route, ["-c", "2", "-d", "2"]); // warm-up
        log(`${name}: saturation run ${duration}s × ${connections} connections`);
        const sat = await autocannon(base + route, ["-c", String(connections), "-d", String(duration)]);
        const rate = Math.max(1, Math.floor(sat.requests.average / 2));
        log(`${name}: paced run at ${rate} req/s`);
        const paced = await autocannon(base + route, ["-c", String(connections), "-d", String(duration), "-R", String(rate)]);
        results[name] = {
          route,
          req_per_s: Math.round(sat.requests.average),
          paced_rate: rate,
          p50_ms: paced.latency.p50,
          p99_ms: paced.latency.p99,
          errors: sat.errors + paced.errors + sat.non2xx + paced.non2xx,
        };
      }
      const campaign = results.campaign as { req_per_s: number; p99_ms: number };
      return { connections, route: routes.campaign, req_per_s: campaign.req_per_s, p99_ms: campaign.p99_ms, duration_s: duration, routes: results };
    } finally {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
    }
  } finally {
    await db.drop();
  }
}
