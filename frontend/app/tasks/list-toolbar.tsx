"use client";

import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from "react";
import type { TagCount } from "@/lib/client/api";
import type { DuePreset } from "@/lib/client/due-dates";
import {
  DEFAULT_ORDER,
  SEARCH_MAX_LENGTH,
  SORTS,
  isDateView,
  TAG_FILTER_MAX,
  type ListState,
  type Order,
  type Sort,
} from "@/lib/client/url-state";
import { PRIORITIES, PRIORITY_LABELS, type Priority } from "@/lib/shared/priorities";
import type { SetListState } from "./use-list-state";
import { NamedOptions } from "@/app/forms/fields";

/** How long typing pauses before the search is sent. */
const SEARCH_DEBOUNCE_MS = 300;

export const SORT_NAMES: Record<Sort, string> = { created: "Created", due: "Due date", priority: "Priority", title: "Title", manual: "My order" };
const ORDER_NAMES: Record<Sort, Record<Order, string>> = {
  created: { desc: "Newest first", asc: "Oldest first" },
  due: { asc: "Earliest first", desc: "Latest first" },
  priority: { desc: "High first", asc: "Low first" },
  title: { asc: "A to Z", desc: "Z to A" },
  manual: { asc: "As arranged", desc: "Reversed" },
};
export const DUE_NAMES: Record<DuePreset, string> = { overdue: "Overdue", today: "Today", week: "This week", none: "No date" };

interface Props {
  state: ListState;
  setState: SetListState;
  searchRef: RefObject<HTMLInputElement | null>;
  tags: TagCount[] | undefined;
  tagsLoading: boolean;
  onWantTags: () => void;
}

function SearchBox({ state, setState, searchRef }: Pick<Props, "state" | "setState" | "searchRef">) {
  const [text, setText] = useState(state.q);
  const sent = useRef(state.q);

  // The URL changed by itself (back button, a tag chip's "clear filters"): show its search.
  useEffect(() => {
    if (state.q !== sent.current) {
      sent.current = state.q;
      setText(state.q);
    }
  }, [state.q]);

  useEffect(() => {
    const q = text.trim();
    if (q === sent.current) return;
    const timer = setTimeout(() => {
      // A new search is a step back can undo; refining it is not.
      const how = sent.current ? "replace" : "push";
      sent.current = q;
      setState({ q }, how);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, setState]);

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== "Escape") return;
    event.preventDefault();
    if (text) setText("");
    else event.currentTarget.blur();
  }

  return (
    <div className="field search">
      <label htmlFor="task-search">Search</label>
      <input
        id="task-search"
        ref={searchRef}
        type="search"
        value={text}
        maxLength={SEARCH_MAX_LENGTH}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Words in the title or description"
        aria-keyshortcuts="/"
      />
    </div>
  );
}

function TagPicker({ state, setState, tags, tagsLoading, onWantTags }: Omit<Props, "searchRef">) {
  const detailsRef = useRef<HTMLDetailsElement>(null);

  function toggle(name: string) {
    const chosen = state.tag.includes(name) ? state.tag.filter((t) => t !== name) : [...state.tag, name];
    setState({ tag: chosen.slice(0, TAG_FILTER_MAX) });
  }

  function onKeyDown(event: KeyboardEvent<HTMLDetailsElement>) {
    if (event.key !== "Escape" || !detailsRef.current?.open) return;
    event.preventDefault();
    detailsRef.current.open = false;
    detailsRef.current.querySelector("summary")?.focus();
  }

  return (
    <details
      ref={detailsRef}
      className="tag-picker"
      onToggle={(event) => event.currentTarget.open && onWantTags()}
      onKeyDown={onKeyDown}
    >
      <summary>Tags{state.tag.length > 0 && ` (${state.tag.length})`}</summary>
      <div className="tag-menu" role="group" aria-label="Filter by tags">
        {tags === undefined || tagsLoading ? (
          <p className="muted" role="status">
            Loading tags…
          </p>
        ) : tags.length === 0 ? (
          <p className="muted">No tags yet. Add #words to a task.</p>
        ) : (
          tags.map(({ name, count }) => (
            <button key={name} type="button" className="chip" aria-pressed={state.tag.includes(name)} onClick={() => toggle(name)}>
              #{name} <span className="count">{count}</span>
            </button>
          ))
        )}
      </div>
    </details>
  );
}

export function ListToolbar(props: Props) {
  const { state, setState } = props;

  function togglePriority(p: Priority) {
    setState({ priority: state.priority.includes(p) ? state.priority.filter((x) => x !== p) : [...state.priority, p] });
  }

  return (
    <div className="toolbar">
      <SearchBox {...props} />
      <div className="toolbar-row">
        <div className="field">
          <label htmlFor="task-sort">Sort by</label>
          <select
            id="task-sort"
            value={state.sort}
            onChange={(event) => {
              const sort = event.target.value as Sort;
              setState({ sort, order: DEFAULT_ORDER[sort] });
            }}
          >
            <NamedOptions values={SORTS} names={SORT_NAMES} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="task-order">Order</label>
          <select id="task-order" value={state.order} onChange={(event) => setState({ order: event.target.value as Order })}>
            <NamedOptions values={[DEFAULT_ORDER[state.sort], DEFAULT_ORDER[state.sort] === "asc" ? "desc" : "asc"]} names={ORDER_NAMES[state.sort]} />
          </select>
        </div>
        {/* A view (Today, Upcoming) already chooses the dates. */}
        {!isDateView(state) && (
        <div className="field">
          <label htmlFor="task-due">Due</label>
          <select id="task-due" value={state.due ?? ""} onChange={(event) => setState({ due: (event.target.value || null) as DuePreset | null })}>
            <option value="">Any date</option>
            <NamedOptions values={Object.keys(DUE_NAMES) as DuePreset[]} names={DUE_NAMES} />
          </select>
        </div>
        )}
      </div>
      <div className="toolbar-row">
        <div role="group" aria-label="Priority" className="filter-buttons">
          <span className="group-label" aria-hidden="true">
            Priority
          </span>
          {PRIORITIES.map((p) => (
            <button key={p} type="button" aria-pressed={state.priority.includes(p)} onClick={() => togglePriority(p)}>
              {PRIORITY_LABELS[p]}
            </button>
          ))}
        </div>
        <TagPicker {...props} />
      </div>
    </div>
  );
}
