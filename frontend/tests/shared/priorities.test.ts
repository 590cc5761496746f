import { describe, expect, it } from "vitest";
import openapi from "@/lib/shared/openapi.json";
import { PRIORITIES, PRIORITY_LABELS } from "@/lib/shared/priorities";

describe("priorities", () => {
  it("are the ones the backend's schema lists, each once, highest first", () => {
    const schema = openapi.components.schemas.TaskPublic.properties.priority as { enum: string[] };
    expect([...PRIORITIES].sort()).toEqual([...schema.enum].sort());
    expect(PRIORITIES).toEqual(["high", "medium", "low", "none"]);
  });

  it("each have a label", () => {
    for (const priority of PRIORITIES) expect(PRIORITY_LABELS[priority]).toMatch(/^[A-Z][a-z]+$/);
  });
});
