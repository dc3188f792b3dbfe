// npm run db:migrate – apply committed migrations to DATABASE_URL or the embedded data folder.
import { prepareDatabase } from "./prepare-db";

const result = await prepareDatabase({ seed: false });
if (!result.ok) {
  console.error(`margin: ${result.message}`);
  process.exit(1);
}
console.log("margin: migrations applied");
