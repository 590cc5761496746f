import type { Task } from "./api";

export type Filter = "all" | "active" | "completed";

export interface Counts {
  all: number;
  active: number;
  completed: number;
}

/** Newest first, matching the backend's order; id breaks ties within one timestamp. */
function newestFirst(a: Task, b: Task): number {
  return b.created_at.localeCompare(a.created_at) || b.id - a.id;
}

/** Inserts or replaces a task, keeping the list in display order. */
export function upsertTask(tasks: Task[], task: Task): Task[] {
  return [...tasks.filter((t) => t.id !== task.id), task].sort(newestFirst);
}

export function removeTask(tasks: Task[], id: number): Task[] {
  return tasks.filter((t) => t.id !== id);
}

export function countTasks(tasks: Task[]): Counts {
  const completed = tasks.filter((t) => t.completed).length;
  return { all: tasks.length, active: tasks.length - completed, completed };
}

export function filterTasks(tasks: Task[], filter: Filter): Task[] {
  if (filter === "all") return tasks;
  return tasks.filter((t) => t.completed === (filter === "completed"));
}
