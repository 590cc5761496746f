import "server-only";
import type { AuthDatabaseConfig } from "./config";

/** Where the auth data lives, for logs: never includes credentials. */
export function describeDatabase(database: AuthDatabaseConfig): string {
  if (database.kind === "sqlite") return `SQLite file ${database.file}`;
  const url = new URL(database.url);
  return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
}
