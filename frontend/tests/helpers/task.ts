import type { Task } from "@/lib/client/api";
import openapi from "@/lib/shared/openapi.json";

const schema = openapi.components.schemas.TaskPublic;
const example: Record<string, unknown> = schema.examples[0];

/**
 * A task as the backend's schema describes one: its example, every other property null. A
 * field added to the API arrives here with the regenerated schema, not by hand in each test.
 */
export function exampleTask(fields: Partial<Task> = {}): Task {
  const base = Object.fromEntries(Object.keys(schema.properties).map((name) => [name, example[name] ?? null]));
  return { ...(base as Task), ...fields };
}
