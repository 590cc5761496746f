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
export const SORTS = ["created", "due", "priority", "title", "manual"] as const;
export type Sort = (typeof SORTS)[number];
export type Order = "asc" | "desc";
/** The sidebar's views: the Inbox (tasks in no list), what is due today or overdue, the next seven
 * days, and what was completed. A list of the user's own is `list` instead. */
export const VIEWS = ["inbox", "today", "upcoming", "completed"] as const;
export type View = (typeof VIEWS)[number];

/** Each sort's own direction, as the API applies it when `order` is left out. */
export const DEFAULT_ORDER: Record<Sort, Order> = { created: "desc", due: "asc", priority: "desc", title: "asc", manual: "asc" };

// The API's limits: a longer search or more tags would only earn a 422.
export const SEARCH_MAX_LENGTH = 100;
export const SEARCH_MAX_WORDS = 10;
export const TAG_FILTER_MAX = 10;

export interface ListState {
  view: View;
  /** One of the user's lists (its id), shown in place of the view. */
  list: number | null;
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
  list: null,
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
  const list = /^[1-9]\d{0,15}$/.test(params.get("list") ?? "") ? Number(params.get("list")) : null;
  const view = list === null ? (oneOf(VIEWS, params.get("view")) ?? DEFAULT_STATE.view) : DEFAULT_STATE.view;
  const sort = oneOf(SORTS, params.get("sort")) ?? viewSort(view, list).sort;
  const priority = PRIORITIES.filter((p) => params.getAll("priority").includes(p));
  const tag = [...new Set(params.getAll("tag").map(normalizeTag).filter(Boolean))].slice(0, TAG_FILTER_MAX);
  return {
    view,
    list,
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
  if (state.list !== null) params.set("list", String(state.list));
  else if (state.view !== DEFAULT_STATE.view) params.set("view", state.view);
  if (state.status !== DEFAULT_STATE.status) params.set("status", state.status);
  if (state.q.trim()) params.set("q", state.q.trim());
  for (const p of PRIORITIES) if (state.priority.includes(p)) params.append("priority", p);
  for (const t of [...state.tag].sort()) params.append("tag", t);
  if (state.due) params.set("due", state.due);
  if (state.sort !== viewSort(state.view, state.list).sort) params.set("sort", state.sort);
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

/** True for the views that are a span of due dates (they take the place of the due filter). */
export function isDateView(state: ListState): boolean {
  return state.list === null && (state.view === "today" || state.view === "upcoming");
}

/** A view's due dates: Today holds what is due today or overdue, Upcoming today and the six days after. */
export function viewRange(view: View, today: string): DueRange {
  if (view === "today") return { due_to: today };
  if (view === "upcoming") return { due_from: today, due_to: addDays(today, 6) };
  return {};
}

/** Which tasks a view holds by list: the Inbox those in no list, a list its own, the others every list. */
function listFilter(state: ListState): Pick<TaskFilters, "list"> {
  if (state.list !== null) return { list: state.list };
  return state.view === "inbox" ? { list: "inbox" } : {};
}

/** The filters the counts, toggle all and clear completed share: all but status, sort and paging.
 * A view's dates take the place of the due filter (the panel offers it only outside them). */
export function apiFilters(state: ListState, today: string): TaskFilters {
  const range: DueRange = isDateView(state) ? viewRange(state.view, today) : state.due ? dueRange(state.due, today) : {};
  return {
    ...listFilter(state),
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
    // Completed holds what was done, whatever the status buttons say.
    ...(state.list === null && state.view === "completed" ? { completed: true } : {}),
    sort: state.sort,
    ...(state.order === DEFAULT_ORDER[state.sort] ? {} : { order: state.order }),
    limit: page.limit,
    offset: page.offset,
  };
}

/**
 * A view's own order, used until another is chosen: Today and Upcoming by day (Upcoming is
 * grouped by day), a list in the order its tasks were dragged into, the Inbox newest first.
 */
export function viewSort(view: View, list: number | null): { sort: Sort; order: Order } {
  if (list !== null) return { sort: "manual", order: "asc" };
  if (view === "today" || view === "upcoming") return { sort: "due", order: "asc" };
  return { sort: "created", order: "desc" };
}

/** The state change that opens a view or a list, in its own order. */
export function openView(view: View, list: number | null = null): Partial<ListState> {
  return { view, list, ...viewSort(view, list) };
}

/** True when rows are in manual order, so that dragging them and Alt+arrows can move them. */
export function isManualOrder(state: ListState): boolean {
  return state.sort === "manual" && !isFiltered(state);
}
