// npm run db:seed – migrate and seed the demo campaign if the database has no users yet.
import { prepareDatabase } from "./prepare-db";

const result = await prepareDatabase({ seed: true });
if (!result.ok) {
  console.error(`margin: ${result.message}`);
  process.exit(1);
}
console.log(result.seeded ? "margin: demo seeded" : "margin: database not empty, nothing seeded");
