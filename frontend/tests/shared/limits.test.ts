import { describe, expect, it } from "vitest";
import openapi from "@/lib/shared/openapi.json";
import { DESCRIPTION_MAX_LENGTH, TAG_MAX_LENGTH, TAGS_PER_TASK, TITLE_MAX_LENGTH } from "@/lib/shared/limits";

interface StringSchema {
  maxLength?: number;
  anyOf?: StringSchema[];
}

interface TagsSchema {
  maxItems: number;
  items: StringSchema;
}

/** The longest string the backend's schema allows for a field (nullable fields hide it in anyOf). */
function maxLength(model: "TaskCreate" | "TaskUpdate", field: "title" | "description"): number | undefined {
  const schema = (openapi.components.schemas[model].properties as Record<string, StringSchema>)[field];
  return schema.maxLength ?? schema.anyOf?.find((option) => option.maxLength !== undefined)?.maxLength;
}

describe("task limits", () => {
  it.each(["TaskCreate", "TaskUpdate"] as const)("match what the backend's %s accepts", (model) => {
    expect(maxLength(model, "title")).toBe(TITLE_MAX_LENGTH);
    expect(maxLength(model, "description")).toBe(DESCRIPTION_MAX_LENGTH);
    const tags = (openapi.components.schemas[model].properties as unknown as Record<"tags", TagsSchema>).tags;
    expect(tags.maxItems).toBe(TAGS_PER_TASK);
    expect(tags.items.maxLength).toBe(TAG_MAX_LENGTH);
  });
});
