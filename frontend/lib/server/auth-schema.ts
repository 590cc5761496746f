import "server-only";
import { getMigrations } from "better-auth/db/migration";
import type { BetterAuthOptions } from "better-auth";

/**
 * Creates or updates Better-Auth's tables (user, session, account,
 * verification). Idempotent: returns the tables it touched, empty when the
 * schema was already current.
 */
export async function migrateAuthSchema(options: BetterAuthOptions): Promise<string[]> {
  const { toBeCreated, toBeAdded, runMigrations } = await getMigrations(options);
  const touched = [...toBeCreated, ...toBeAdded].map((change) => change.table);
  if (touched.length > 0) await runMigrations();
  return [...new Set(touched)];
}
