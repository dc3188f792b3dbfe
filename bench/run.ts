// npm run bench -- NAME [--flag value …]
// Runs one benchmark (bench/NAME.ts) against the real PostgreSQL in DATABASE_URL (unless the module exports
// `needsDatabase = false`: a pure simulation). Progress goes to stderr;
// the last line on stdout is one JSON object with the figures and their same-run reference (see docs/benchmarks.md).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [name, ...rest] = process.argv.slice(2);
const available = fs
  .readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "lib.ts"].includes(f))
  .map((f) => f.replace(/\.ts$/, ""));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join("|")}> [--flags]`);
  process.exit(2);
}
const flags: Record<string, string> = {};
for (let i = 0; i < rest.length; i++) {
  const a = rest[i]!;
  if (!a.startsWith("--")) continue;
  const [k, v] = a.slice(2).split("=", 2) as [string, string | undefined];
  flags[k] = v ?? (rest[i + 1] && !rest[i + 1]!.startsWith("--") ? rest[++i]! : "true");
}
const mod = (await import(pathToFileURL(path.join(import.meta.dirname, `${name}.ts`)).href)) as {
  default: (flags: Record<string, string>) => Promise<Record<string, unknown>>;
  /** A bench that needs no database (a pure simulation) exports `needsDatabase = false`. */
  needsDatabase?: boolean;
};
if (mod.needsDatabase !== false && !process.env.DATABASE_URL) {
  console.error("bench: DATABASE_URL is not set. Benchmarks run against real PostgreSQL, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- " + name);
  process.exit(2);
}
const result = await mod.default(flags);
process.stdout.write(`${JSON.stringify({ bench: name, ...result, at: new Date().toISOString() })}\n`);
process.exit(0);
