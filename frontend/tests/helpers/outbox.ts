import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The messages the mailer wrote to `outbox`, oldest first (their names start with the time). */
export function outboxMessages(outbox: string): string[] {
  return readdirSync(outbox)
    .filter((file) => file.endsWith(".eml"))
    .sort()
    .map((file) => readFileSync(path.join(outbox, file), "utf8"));
}
