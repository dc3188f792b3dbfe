// npm start: migrate, seed the demo when the database is empty, build when there is no build, then serve (plus one
// background worker on PostgreSQL, see below).
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

// Background jobs (routing, tail scoring): on PostgreSQL the web process only enqueues them and worker processes
// run them, MARGIN_WORKERS of them here (default 1; 0 when the operator runs `npm run worker` elsewhere). A worker
// that dies is started again after a pause (its job expires and is retried). Embedded: jobs run in the app itself.
const workers = new Set<ReturnType<typeof spawn>>();
let stopping = false;
const workerCount = process.env.DATABASE_URL ? Number(process.env.MARGIN_WORKERS ?? "1") : 0;
if (!Number.isInteger(workerCount) || workerCount < 0) fail(`MARGIN_WORKERS must be a whole number ≥ 0 (got "${process.env.MARGIN_WORKERS}").`);
function startWorker() {
  const worker = spawn(process.execPath, ["--import", "tsx", path.join(process.cwd(), "scripts", "worker.ts")], { stdio: "inherit", env });
  workers.add(worker);
  worker.on("exit", (code, signal) => {
    workers.delete(worker);
    if (stopping) return;
    console.error(`margin: a worker stopped (${signal ?? `exit code ${code}`}); starting another in 5 s`);
    setTimeout(() => !stopping && startWorker(), 5000).unref();
  });
}
for (let i = 0; i < workerCount; i++) startWorker();
if (workerCount > 0) console.log(`margin: ${workerCount} background worker${workerCount === 1 ? "" : "s"} started`);

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    stopping = true;
    server.kill(signal);
    for (const w of workers) w.kill(signal);
  });
server.on("exit", (code) => {
  stopping = true;
  for (const w of workers) w.kill("SIGTERM");
  process.exit(code ?? 0);
});
