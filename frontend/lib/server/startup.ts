import "server-only";
import { getAuth } from "./auth";
import { migrateAuthSchema } from "./auth-schema";
import { ConfigError, getServerConfig } from "./config";
import { describeDatabase } from "./database-label";

/**
 * Validates the settings and, for the embedded SQLite file, creates the auth
 * schema so a fresh checkout works without a separate step. PostgreSQL is
 * left to `npm run migrate`, the deploy step that owns shared databases.
 */
export async function prepareServer(): Promise<void> {
  let config;
  try {
    config = getServerConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[todo] cannot start: ${error.message}`);
    process.exit(1);
  }
  if (config.database.kind === "sqlite") {
    const touched = await migrateAuthSchema(getAuth().options);
    if (touched.length > 0) console.log(`[todo] created auth tables in ${describeDatabase(config.database)}: ${touched.join(", ")}`);
  }
}
