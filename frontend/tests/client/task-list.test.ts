import { describe, expect, it } from "vitest";
import type { Task } from "@/lib/client/api";
import { countTasks, filterTasks, removeTask, upsertTask } from "@/lib/client/task-list";

function task(id: number, createdAt: string, completed = false): Task {
  return {
    id,
    title: `T${id}`,
    description: null,
    completed,
    priority: "none",
    due_date: null,
    tags: [],
    completed_at: null,
    created_at: createdAt,
    updated_at: createdAt,
  };
}

const older = task(1, "2026-11-26T10:00:00Z");
const newer = task(2, "2026-11-27T10:00:00Z", true);

describe("task list helpers", () => {
  it("keeps newest first when inserting and replacing", () => {
    const list = upsertTask(upsertTask([], older), newer);
    expect(list.map((t) => t.id)).toEqual([2, 1]);
    expect(upsertTask(list, { ...older, title: "renamed" }).map((t) => t.title)).toEqual(["T2", "renamed"]);
  });

  it("counts and filters by completion", () => {
    const list = [newer, older];
    expect(countTasks(list)).toEqual({ all: 2, active: 1, completed: 1 });
    expect(filterTasks(list, "active")).toEqual([older]);
    expect(filterTasks(list, "completed")).toEqual([newer]);
    expect(filterTasks(list, "all")).toBe(list);
    expect(removeTask(list, 2)).toEqual([older]);
  });
});
