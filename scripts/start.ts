// npm start: migrate, seed the demo when the database is empty, build when there is no build, then serve.
import fs from "node:fs";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { prepareDatabase, resolveAuthSecret } from "./prepare-db";

function fail(message: string): never {
  console.error(`margin: ${message}`);
  process.exit(1);
}

const port = process.env.PORT ?? "3000";
if (!/^\d{1,5}$/.test(port)) fail(`PORT must be a number (got "${port}").`);

// PGlite is single-process: a second server on the same data folder would corrupt it, so refuse early.
if (!process.env.DATABASE_URL) {
  const dataDir = process.env.MARGIN_DATA_DIR ?? path.join(process.cwd(), ".margin", "pgdata");
  const lock = `${dataDir}.server.pid`;
  if (fs.existsSync(lock)) {
    const pid = Number(fs.readFileSync(lock, "utf8"));
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = pid !== process.pid;
    } catch {
      alive = false;
    }
    if (alive) fail(`another Margin server (pid ${pid}) is using the embedded database in ${dataDir}. Stop it first, or set MARGIN_DATA_DIR.`);
  }
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  fs.writeFileSync(lock, String(process.pid));
  process.on("exit", () => fs.rmSync(lock, { force: true }));
}

const secret = resolveAuthSecret();
if (!secret.ok) fail(secret.message);

const db = await prepareDatabase({ seed: process.env.MARGIN_SEED !== "0" });
if (!db.ok) fail(db.message);
console.log(`margin: database ready (${process.env.DATABASE_URL ? "PostgreSQL" : "embedded PGlite"})${db.seeded ? ", demo campaign seeded" : ""}`);

const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
if (!fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
  console.log("margin: no production build found, building (about a minute)…");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" as const } });
  if (build.status !== 0) fail("the build failed (see above).");
}

const env = {
  ...process.env,
  NODE_ENV: "production" as const,
  AUTH_SECRET: secret.secret,
  NEXTAUTH_SECRET: secret.secret,
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
};
console.log(`margin: serving on http://localhost:${port}`);
// scripts/serve.mjs, not `next start`: the client address must come from the socket (see lib/http/client-ip.ts).
const server = spawn(process.execPath, [path.join(process.cwd(), "scripts", "serve.mjs")], { stdio: "inherit", env: { ...env, PORT: port } });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
