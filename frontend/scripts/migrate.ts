/**
 * `npm run migrate`: creates or updates the Better-Auth schema in the database
 * the environment selects (PostgreSQL when DATABASE_URL is postgres://…, else
 * the SQLite file). Safe to run on every deploy.
 */
import { loadEnvConfig } from "@next/env";
import { Pool } from "pg";
import { buildAuthOptions } from "../lib/server/auth-options";
import { migrateAuthSchema } from "../lib/server/auth-schema";
import { ConfigError, getServerConfig } from "../lib/server/config";
import { describeDatabase } from "../lib/server/database-label";

async function main(): Promise<void> {
  // Same .env files as `next start`/`next dev`, so both always pick the same database.
  loadEnvConfig(process.cwd(), false, { info: () => {}, error: console.error });
  const config = getServerConfig();
  const options = buildAuthOptions(config);
  const where = describeDatabase(config.database);
  try {
    const touched = await migrateAuthSchema(options);
    console.log(
      touched.length > 0
        ? `auth schema migrated in ${where}: ${touched.join(", ")}`
        : `auth schema already up to date in ${where}`,
    );
  } finally {
    const db = options.database;
    if (db instanceof Pool) await db.end();
    else db.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`migrate: ${error.message}`);
  } else {
    console.error("migrate: failed:", error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
