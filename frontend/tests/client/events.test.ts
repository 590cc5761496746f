import { describe, expect, it } from "vitest";
import { affectedQueries, applyToLists, applyToPages, isNews, parseChange, reconnectDelay } from "@/lib/client/events";
import type { TaskList } from "@/lib/client/api";
import { exampleTask } from "../helpers/task";

const list = (id: number, position: number, name = `L${id}`) => ({ id, position, name, color: null, open_count: 0 }) as unknown as TaskList;

describe("the change stream's events", () => {
  it("reads each type, with the new row, and ignores what it does not know", () => {
    const row = exampleTask({ id: 3 });
    expect(parseChange(JSON.stringify({ type: "task.updated", id: 3, task: row }))).toEqual({ type: "task.updated", id: 3, task: row });
    expect(parseChange(JSON.stringify({ type: "task.created", id: 3, row }))).toEqual({ type: "task.created", id: 3, task: row });
    expect(parseChange(JSON.stringify({ type: "task.deleted", id: 3 }))).toEqual({ type: "task.deleted", id: 3 });
    expect(parseChange(JSON.stringify({ type: "list.updated", id: 2, list: list(2, 1) }))).toMatchObject({ type: "list.updated", list: { id: 2 } });
    expect(parseChange(JSON.stringify({ type: "tag.renamed", id: 1 }))).toBeNull();
    expect(parseChange("not json")).toBeNull();
    expect(parseChange(JSON.stringify({ type: "task.deleted", id: "3" }))).toBeNull();
  });

  it("edits a loaded row in place and removes a deleted one, on every page", () => {
    const pages = { pages: [[exampleTask({ id: 1 }), exampleTask({ id: 2 })], [exampleTask({ id: 3 })]], pageParams: [0, 2] };
    const edited = applyToPages(pages, { type: "task.updated", id: 3, task: exampleTask({ id: 3, title: "Renamed" }) });
    expect(edited?.pages[1][0].title).toBe("Renamed");
    const deleted = applyToPages(pages, { type: "task.deleted", id: 2 });
    expect(deleted?.pages.map((page) => page.map((t) => t.id))).toEqual([[1], [3]]);
    // A new task's place is the refetch's to say.
    expect(applyToPages(pages, { type: "task.created", id: 9, task: exampleTask({ id: 9 }) })).toBe(pages);
  });

  it("takes an edit as news unless every loaded copy says the same already (this tab's own echo)", () => {
    const row = exampleTask({ id: 4, title: "Same", updated_at: "2026-12-06T05:00:00Z" });
    const views = [{ pages: [[{ ...row, updated_at: "2026-12-06T05:00:00+00:00" }]], pageParams: [0] }, undefined];
    expect(isNews(views, row)).toBe(false);
    expect(isNews(views, { ...row, completed: !row.completed })).toBe(true);
    expect(isNews([undefined], row)).toBe(true);
  });

  it("keeps the sidebar's lists in position order through adds, edits and deletes", () => {
    const lists = [list(1, 1), list(2, 2)];
    expect(applyToLists(lists, { type: "list.created", id: 3, list: list(3, 1.5) })?.map((l) => l.id)).toEqual([1, 3, 2]);
    expect(applyToLists(lists, { type: "list.updated", id: 1, list: list(1, 3, "Moved") })?.map((l) => l.id)).toEqual([2, 1]);
    expect(applyToLists(lists, { type: "list.deleted", id: 1 })?.map((l) => l.id)).toEqual([2]);
  });

  it("refetches the views and counts for a task, its parent's subtasks for a subtask, nothing for a list (its row says it all)", () => {
    expect(affectedQueries({ type: "list.deleted", id: 1 })).toEqual([]);
    expect(affectedQueries({ type: "task.created", id: 1, task: exampleTask({ id: 1, parent_id: null }) })).toEqual([["counts"], ["tasks"]]);
    expect(affectedQueries({ type: "task.updated", id: 2, task: exampleTask({ id: 2, parent_id: 1 }) })).toEqual([["counts"], ["tasks"], ["subtasks", 1]]);
    // A refetch of the list started before the delete would bring the row back: the list is fetched again.
    expect(affectedQueries({ type: "task.deleted", id: 1 })).toEqual([["counts"], ["tasks"], ["subtasks"]]);
  });

  it("waits longer after each failure, up to 30 s, never the same for every tab", () => {
    expect(reconnectDelay(1, () => 1)).toBe(1000);
    expect(reconnectDelay(3, () => 1)).toBe(4000);
    expect(reconnectDelay(20, () => 1)).toBe(30_000);
    expect(reconnectDelay(20, () => 0)).toBe(15_000);
  });
});
