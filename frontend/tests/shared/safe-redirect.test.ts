import { describe, expect, it } from "vitest";
import { safeNextPath, withNext } from "@/lib/shared/safe-redirect";

describe("safeNextPath", () => {
  it.each([
    ["/tasks", "/tasks"],
    ["/tasks?filter=active#top", "/tasks?filter=active#top"],
    ["/a/../tasks", "/tasks"],
  ])("keeps same-origin path %s", (raw, expected) => {
    expect(safeNextPath(raw)).toBe(expected);
  });

  it.each([
    [null],
    [""],
    ["tasks"],
    ["https://evil.example/tasks"],
    ["//evil.example"],
    ["/\\evil.example"],
    ["/\tevil"],
    ["javascript:alert(1)"],
    ["/auth/login"],
    ["/api/auth/token"],
  ])("falls back to /tasks for %s", (raw) => {
    expect(safeNextPath(raw)).toBe("/tasks");
  });
});

describe("withNext", () => {
  it("keeps slashes readable and encodes the rest", () => {
    expect(withNext("/auth/login", "/tasks")).toBe("/auth/login?next=/tasks");
    expect(withNext("/auth/login", "/tasks?a=1&b=2")).toBe("/auth/login?next=/tasks%3Fa%3D1%26b%3D2");
  });
});
