// The server the e2e suite runs against: a fresh database (a temp PGlite folder, or a new throwaway database
// on the local PostgreSQL when DATABASE_URL is set), migrated and seeded, then a production build served.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { prepareDatabase } from "./prepare-db";
import { seedWorkFixtures } from "../tests/e2e/fixtures/work-campaigns";

const port = process.env.E2E_PORT ?? "3100";
// Every browser in the suite signs in from 127.0.0.1: raise the per-IP limits (per-account throttling stays).
const env: NodeJS.ProcessEnv = { SIGNIN_LIMIT_PER_IP: "5000", SIGNUP_LIMIT_PER_IP: "500", ...process.env };
let dropDatabase: (() => Promise<void>) | undefined;

if (process.env.DATABASE_URL) {
  const u = new URL(process.env.DATABASE_URL);
  if (!["127.0.0.1", "localhost", "::1"].includes(u.hostname)) throw new Error("e2e refuses a non-local database");
  const name = `margin_e2e_${randomBytes(5).toString("hex")}`;
  const admin = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  u.pathname = `/${name}`;
  env.DATABASE_URL = u.toString();
  process.env.DATABASE_URL = env.DATABASE_URL;
  dropDatabase = async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "margin-e2e-"));
  env.MARGIN_DATA_DIR = dir;
  process.env.MARGIN_DATA_DIR = dir;
}

// Tell the tests where the data lives, so they can check downloads against the database itself.
fs.writeFileSync(path.join(os.tmpdir(), `margin-e2e-${port}.json`), JSON.stringify({ databaseUrl: env.DATABASE_URL ?? null }));

const prepared = await prepareDatabase({ seed: true });
if (!prepared.ok) {
  console.error(`e2e: ${prepared.message}`);
  process.exit(1);
}
await seedWorkFixtures();

const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
if (process.env.E2E_SKIP_BUILD !== "1" || !fs.existsSync(".next/BUILD_ID")) {
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...env, NODE_ENV: "production" } });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const secret = randomBytes(32).toString("base64url");
const server = spawn(process.execPath, [path.join(process.cwd(), "scripts", "serve.mjs")], {
  stdio: "inherit",
  env: { ...env, PORT: port, HOSTNAME: "127.0.0.1", NODE_ENV: "production", AUTH_SECRET: secret, NEXTAUTH_SECRET: secret, NEXTAUTH_URL: `http://127.0.0.1:${port}` },
});
// On PostgreSQL the app only enqueues background jobs (routing): a worker process runs them, as `npm start` does.
const worker = env.DATABASE_URL
  ? spawn(process.execPath, ["--import", "tsx", path.join(process.cwd(), "scripts", "worker.ts")], { stdio: "inherit", env: { ...env, NODE_ENV: "production" } })
  : null;
let shuttingDown = false;
async function shutdown() {
  if (shuttingDown) return;
  shuttingDown = true;
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    worker.kill("SIGTERM");
    await new Promise((r) => worker.once("exit", r));
  }
  server.kill("SIGTERM");
  if (server.exitCode === null && server.signalCode === null) await new Promise((r) => server.once("exit", r));
  if (dropDatabase) await dropDatabase();
  if (env.MARGIN_DATA_DIR && !process.env.MARGIN_KEEP_DATA) fs.rmSync(env.MARGIN_DATA_DIR, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
// The server stopping on its own (a crash) ends this process too; a shutdown we started cleans up first.
server.on("exit", (code) => {
  if (!shuttingDown) process.exit(code ?? 0);
});
worker?.on("exit", (code) => {
  if (!shuttingDown) console.error(`e2e: the worker stopped (exit code ${code}); routing jobs will stay queued`);
});
