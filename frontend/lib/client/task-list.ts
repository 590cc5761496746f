/**
 * The list as the page holds it: the pages fetched so far (never all of a person's tasks),
 * the server's counts, and the local edits shown before the server confirms them.
 */
import type { Task, TaskCounts } from "./api";
import type { ListState } from "./url-state";

export type Counts = TaskCounts;

/** Tasks per page: the API's maximum is 100; 50 fills a screen twice over. */
export const PAGE_SIZE = 50;

export interface Pages {
  pages: Task[][];
  pageParams: unknown[];
}

/**
 * Where the next page starts: after every row fetched so far. A short page means the end.
 * Refetching recomputes this from fresh pages, so the loaded window stays contiguous.
 */
export function nextOffset(lastPage: Task[], pages: Task[][]): number | undefined {
  if (lastPage.length < PAGE_SIZE) return undefined;
  return pages.reduce((sum, page) => sum + page.length, 0);
}

/** The rows to show: pages joined, a row seen twice (the list moved between pages) shown once. */
export function visibleTasks(pages: readonly Task[][], hidden: (task: Task) => boolean): Task[] {
  const seen = new Set<number>();
  const rows: Task[] = [];
  for (const task of pages.flat()) {
    if (seen.has(task.id) || hidden(task)) continue;
    seen.add(task.id);
    rows.push(task);
  }
  return rows;
}

export function mapTasks(data: Pages | undefined, change: (task: Task) => Task | null): Pages | undefined {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) => page.flatMap((task) => change(task) ?? [])),
  };
}

/** How a set of removed or changed tasks moves the counts. */
export function countsDelta(tasks: readonly Pick<Task, "completed">[], sign: 1 | -1 = -1): Counts {
  const completed = tasks.filter((t) => t.completed).length;
  return { all: sign * tasks.length, active: sign * (tasks.length - completed), completed: sign * completed };
}

export function addCounts(counts: Counts, delta: Counts): Counts {
  const clamp = (n: number) => Math.max(0, n);
  return {
    all: clamp(counts.all + delta.all),
    active: clamp(counts.active + delta.active),
    completed: clamp(counts.completed + delta.completed),
  };
}

/** "1 item left", "3 items left". */
export function itemsLeft(active: number): string {
  return `${active} ${active === 1 ? "item" : "items"} left`;
}

const DUE_EMPTY = {
  overdue: "Nothing overdue.",
  today: "Nothing due today.",
  week: "Nothing due this week.",
  none: "No tasks without a due date.",
} as const;

/** What an empty list says, for the filter that emptied it. */
export function emptyMessage(state: ListState, counts: Counts | undefined): string {
  if (state.q) return `No tasks match “${state.q}”.`;
  if (state.list === null && state.view === "today") return "Nothing due today or overdue.";
  if (state.list === null && state.view === "upcoming") return "Nothing due in the next seven days.";
  if (state.list === null && state.view === "completed") return "Nothing completed yet.";
  if (state.due) return DUE_EMPTY[state.due];
  if (state.tag.length) return `No tasks tagged ${state.tag.map((t) => `#${t}`).join(" and ")}.`;
  if (state.priority.length) return "No tasks with this priority.";
  if (state.status === "active") return counts?.all ? "All done. Nothing left to do." : "No tasks left to do.";
  if (state.status === "completed") return "No tasks completed yet.";
  return state.list === null ? "No tasks yet. Add your first one above." : "No tasks in this list yet. Add one above.";
}
