import { describe, expect, it } from "vitest";
import type { Task } from "@/lib/client/api";
import { addCounts, countsDelta, emptyMessage, itemsLeft, mapTasks, moveTask, neighbourAfter, nextOffset, PAGE_SIZE, visibleTasks } from "@/lib/client/task-list";
import { DEFAULT_STATE } from "@/lib/client/url-state";
import { exampleTask } from "../helpers/task";

function task(id: number, completed = false): Task {
  const at = "2026-11-27T10:00:00Z";
  return exampleTask({ id, title: `T${id}`, completed, created_at: at, updated_at: at });
}

const page = (from: number, size: number) => Array.from({ length: size }, (_, i) => task(from + i));

describe("paging", () => {
  it("asks for the next page after every row so far, and stops at a short page", () => {
    const first = page(1, PAGE_SIZE);
    expect(nextOffset(first, [first])).toBe(PAGE_SIZE);
    const second = page(PAGE_SIZE + 1, PAGE_SIZE);
    expect(nextOffset(second, [first, second])).toBe(2 * PAGE_SIZE);
    expect(nextOffset(page(1, 3), [first, page(1, 3)])).toBeUndefined();
  });

  it("shows a row once when the list moved between pages, and hides what waits for deletion", () => {
    const rows = visibleTasks([[task(1), task(2)], [task(2), task(3)]], (t) => t.id === 3);
    expect(rows.map((t) => t.id)).toEqual([1, 2]);
  });

  it("edits and removes rows across pages", () => {
    const data = { pages: [[task(1), task(2)], [task(3)]], pageParams: [0, 2] };
    const edited = mapTasks(data, (t) => (t.id === 2 ? null : { ...t, completed: true }));
    expect(edited?.pages.map((p) => p.map((t) => [t.id, t.completed]))).toEqual([[[1, true]], [[3, true]]]);
    expect(edited?.pageParams).toEqual([0, 2]);
  });
});

describe("counts", () => {
  it("moves by the tasks removed, never below zero", () => {
    const delta = countsDelta([task(1), task(2, true)]);
    expect(delta).toEqual({ all: -2, active: -1, completed: -1 });
    expect(addCounts({ all: 5, active: 3, completed: 2 }, delta)).toEqual({ all: 3, active: 2, completed: 1 });
    expect(addCounts({ all: 0, active: 0, completed: 0 }, delta)).toEqual({ all: 0, active: 0, completed: 0 });
  });

  it("reads items left in the plural only when it is", () => {
    expect(itemsLeft(0)).toBe("0 items left");
    expect(itemsLeft(1)).toBe("1 item left");
    expect(itemsLeft(2)).toBe("2 items left");
  });
});

describe("empty states", () => {
  it("name the filter that emptied the list", () => {
    expect(emptyMessage({ ...DEFAULT_STATE, due: "overdue" }, undefined)).toBe("Nothing overdue.");
    expect(emptyMessage({ ...DEFAULT_STATE, due: "today" }, undefined)).toBe("Nothing due today.");
    expect(emptyMessage({ ...DEFAULT_STATE, q: "rent" }, undefined)).toBe("No tasks match “rent”.");
    expect(emptyMessage({ ...DEFAULT_STATE, tag: ["home"] }, undefined)).toBe("No tasks tagged #home.");
    expect(emptyMessage({ ...DEFAULT_STATE, status: "completed" }, undefined)).toBe("No tasks completed yet.");
    expect(emptyMessage({ ...DEFAULT_STATE, status: "active" }, { all: 2, active: 0, completed: 2 })).toBe("All done. Nothing left to do.");
    expect(emptyMessage(DEFAULT_STATE, { all: 0, active: 0, completed: 0 })).toMatch(/^No tasks yet/);
  });
});

describe("manual order in place", () => {
  const data = { pages: [[task(1), task(2)], [task(3), task(4)]], pageParams: [0, 2] };
  const ids = (pages: { pages: Task[][] } | undefined) => pages?.pages.map((rows) => rows.map((t) => t.id));

  it("moves a task after another across pages, each page keeping its length", () => {
    expect(ids(moveTask(data, 4, 1))).toEqual([[1, 4], [2, 3]]);
    expect(ids(moveTask(data, 1, null))).toEqual([[1, 2], [3, 4]]);
    expect(ids(moveTask(data, 3, null))).toEqual([[3, 1], [2, 4]]);
    expect(ids(moveTask(data, 1, 4))).toEqual([[2, 3], [4, 1]]);
    expect(ids(moveTask(data, 1, 99))).toEqual([[1, 2], [3, 4]]);
  });

  it("finds the task to follow for one step up or down", () => {
    const rows = [task(1), task(2), task(3)];
    expect(neighbourAfter(rows, 2, -1)).toBeNull();
    expect(neighbourAfter(rows, 3, -1)).toBe(1);
    expect(neighbourAfter(rows, 1, 1)).toBe(2);
    expect(neighbourAfter(rows, 3, 1)).toBeUndefined();
    expect(neighbourAfter(rows, 1, -1)).toBeUndefined();
  });
});
