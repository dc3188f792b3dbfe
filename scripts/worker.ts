// npm run worker: run Margin's background jobs (routing and tail scoring today) on a PostgreSQL deployment.
// Start as many as the work needs, on any machine that reaches the database; `npm start` starts one next to the web
// server unless MARGIN_WORKERS=0. The embedded database (no DATABASE_URL) has no separate worker: jobs run in the app.
import { closeDb, getDb } from "@/db";
import { allJobs } from "@/lib/jobs/all";
import { startWorker } from "@/lib/jobs/worker";

if (!process.env.DATABASE_URL) {
  console.error("margin worker: DATABASE_URL is not set: the embedded default has no separate worker; jobs run in the app (npm start).");
  process.exit(2);
}

let worker: Awaited<ReturnType<typeof startWorker>>;
try {
  const db = await getDb();
  worker = await startWorker(db, allJobs);
} catch (e) {
  console.error("margin worker: could not start:", e instanceof Error ? e.message : e);
  process.exit(1);
}
console.log(`margin worker ${worker.name}: working ${allJobs.map((j) => j.queue).join(", ")}`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`margin worker ${worker.name}: ${signal}, finishing the job under way`);
  // A job still running when the grace period ends is abandoned; pg-boss expires and retries it elsewhere, and its
  // one-transaction write means nothing half-done is left behind.
  const grace = setTimeout(() => process.exit(1), 30_000);
  grace.unref();
  await worker.stop().catch((e: unknown) => console.error("margin worker: stop failed", e));
  await closeDb().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
