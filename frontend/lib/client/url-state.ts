/**
 * The task list's state (filters, search, sort) as URL search parameters, so that a reload,
 * a shared link and the back button all show the same list. Parsing forgives: a value it does
 * not know is dropped (a hand-edited link still opens), and defaults never appear in the URL.
 */
import { addDays, DUE_PRESETS, dueRange, type DuePreset, type DueRange } from "./due-dates";
import { PRIORITIES, type Priority } from "../shared/priorities";
import { normalizeTag } from "../shared/tags";
import type { TaskFilters, TaskListQuery } from "./api";

export const STATUSES = ["all", "active", "completed"] as const;
export type Status = (typeof STATUSES)[number];
export const SORTS = ["created", "due", "priority", "title"] as const;
export type Sort = (typeof SORTS)[number];
export type Order = "asc" | "desc";
/** The sidebar's views: every task, what is due today or overdue, and the next seven days. */
export const VIEWS = ["inbox", "today", "upcoming"] as const;
export type View = (typeof VIEWS)[number];

/** Each sort's own direction, as the API applies it when `order` is left out. */
export const DEFAULT_ORDER: Record<Sort, Order> = { created: "desc", due: "asc", priority: "desc", title: "asc" };

// The API's limits: a longer search or more tags would only earn a 422.
export const SEARCH_MAX_LENGTH = 100;
export const SEARCH_MAX_WORDS = 10;
export const TAG_FILTER_MAX = 10;

export interface ListState {
  view: View;
  status: Status;
  /** The search words, as typed (trimmed). */
  q: string;
  priority: Priority[];
  tag: string[];
  due: DuePreset | null;
  sort: Sort;
  order: Order;
}

export const DEFAULT_STATE: ListState = {
  view: "inbox",
  status: "all",
  q: "",
  priority: [],
  tag: [],
  due: null,
  sort: "created",
  order: "desc",
};

function oneOf<T extends string>(values: readonly T[], value: string | null): T | null {
  return values.includes(value as T) ? (value as T) : null;
}

export function parseListState(params: URLSearchParams): ListState {
  const sort = oneOf(SORTS, params.get("sort")) ?? DEFAULT_STATE.sort;
  const priority = PRIORITIES.filter((p) => params.getAll("priority").includes(p));
  const tag = [...new Set(params.getAll("tag").map(normalizeTag).filter(Boolean))].slice(0, TAG_FILTER_MAX);
  return {
    view: oneOf(VIEWS, params.get("view")) ?? DEFAULT_STATE.view,
    status: oneOf(STATUSES, params.get("status")) ?? DEFAULT_STATE.status,
    q: (params.get("q") ?? "").trim().slice(0, SEARCH_MAX_LENGTH),
    priority,
    tag,
    due: oneOf(DUE_PRESETS, params.get("due")),
    sort,
    order: oneOf(["asc", "desc"] as const, params.get("order")) ?? DEFAULT_ORDER[sort],
  };
}

/** The URL's search parameters for a state: only what differs from the defaults, in a fixed order. */
export function serializeListState(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.view !== DEFAULT_STATE.view) params.set("view", state.view);
  if (state.status !== DEFAULT_STATE.status) params.set("status", state.status);
  if (state.q.trim()) params.set("q", state.q.trim());
  for (const p of PRIORITIES) if (state.priority.includes(p)) params.append("priority", p);
  for (const t of [...state.tag].sort()) params.append("tag", t);
  if (state.due) params.set("due", state.due);
  if (state.sort !== DEFAULT_STATE.sort) params.set("sort", state.sort);
  if (state.order !== DEFAULT_ORDER[state.sort]) params.set("order", state.order);
  return params;
}

/** "?status=active" or "" : what goes after the path. */
export function listSearch(state: ListState): string {
  const search = serializeListState(state).toString();
  return search ? `?${search}` : "";
}

/** True when anything narrows the list beyond the status buttons. */
export function isFiltered(state: ListState): boolean {
  return Boolean(state.q || state.priority.length || state.tag.length || state.due);
}

/** A view's due dates: Today holds what is due today or overdue, Upcoming today and the six days after. */
export function viewRange(view: View, today: string): DueRange {
  if (view === "today") return { due_to: today };
  if (view === "upcoming") return { due_from: today, due_to: addDays(today, 6) };
  return {};
}

/** The filters the counts, toggle all and clear completed share: all but status, sort and paging.
 * A view's dates take the place of the due filter (the panel offers it only in the Inbox). */
export function apiFilters(state: ListState, today: string): TaskFilters {
  const range: DueRange = state.view !== "inbox" ? viewRange(state.view, today) : state.due ? dueRange(state.due, today) : {};
  return {
    ...(state.q ? { q: searchedWords(state.q) } : {}),
    ...(state.priority.length ? { priority: state.priority } : {}),
    ...(state.tag.length ? { tag: state.tag } : {}),
    ...range,
  };
}

/** The words of a search the API takes: the first SEARCH_MAX_WORDS (the rest would earn a 422). */
export function searchedWords(q: string): string {
  return q.split(/\s+/).filter(Boolean).slice(0, SEARCH_MAX_WORDS).join(" ");
}

/** One page of the list as the API is asked for it. */
export function apiListQuery(state: ListState, today: string, page: { limit: number; offset: number }): TaskListQuery {
  return {
    ...apiFilters(state, today),
    ...(state.status === "all" ? {} : { completed: state.status === "completed" }),
    sort: state.sort,
    ...(state.order === DEFAULT_ORDER[state.sort] ? {} : { order: state.order }),
    limit: page.limit,
    offset: page.offset,
  };
}
