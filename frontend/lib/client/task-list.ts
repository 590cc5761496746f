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

/**
 * The pages with one task moved to just after `afterId` (null: first), each page keeping its
 * length, as the manual order shows it once the server has the move. Unknown ids change nothing.
 */
export function moveTask(data: Pages | undefined, id: number, afterId: number | null): Pages | undefined {
  if (!data) return data;
  const rows = data.pages.flat();
  const moving = rows.find((task) => task.id === id);
  if (!moving || id === afterId) return data;
  const rest = rows.filter((task) => task.id !== id);
  const at = afterId === null ? 0 : rest.findIndex((task) => task.id === afterId) + 1;
  if (afterId !== null && at === 0) return data;
  rest.splice(at, 0, moving);
  let from = 0;
  return {
    ...data,
    pages: data.pages.map((page) => {
      const slice = rest.slice(from, from + page.length);
      from += page.length;
      return slice;
    }),
  };
}

/** The task a row must follow to go one step up (-1) or down (1): undefined at either end. */
export function neighbourAfter(rows: readonly Pick<Task, "id">[], id: number, by: -1 | 1): number | null | undefined {
  const index = rows.findIndex((task) => task.id === id);
  const target = index + by;
  if (index < 0 || target < 0 || target >= rows.length) return undefined;
  // Up: after the row two above (or first); down: after the row below.
  return by < 0 ? (rows[target - 1]?.id ?? null) : rows[target].id;
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
