"use client";

import { useRef, type ReactNode, type RefObject } from "react";
import type { TagCount } from "@/lib/client/api";
import type { Counts } from "@/lib/client/task-list";
import { isDateView, type ListState } from "@/lib/client/url-state";
import { Icon } from "./app-icon";
import { DisclosureButton } from "./disclosure-button";
import { DUE_NAMES, ListToolbar } from "./list-toolbar";
import { TaskFilters } from "./task-filters";
import { PRIORITY_LABELS } from "@/lib/shared/priorities";
import type { SetListState } from "./use-list-state";

export const FILTER_PANEL_ID = "filter-panel";

interface Props {
  /** The view's heading, on the toggle's line. */
  heading: ReactNode;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  state: ListState;
  setState: SetListState;
  counts: Counts | undefined;
  searchRef: RefObject<HTMLInputElement | null>;
  tags: TagCount[] | undefined;
  tagsLoading: boolean;
  onWantTags: () => void;
}

interface Chip {
  key: string;
  label: string;
  /** The remove button's name. */
  remove: string;
  clear: Partial<ListState>;
}

/** Every filter in force, each removable on its own. */
function chipsOf(state: ListState): Chip[] {
  const chips: Chip[] = [];
  if (state.status !== "all") {
    const label = state.status === "active" ? "Active" : "Completed";
    chips.push({ key: "status", label, remove: `Remove filter ${label}`, clear: { status: "all" } });
  }
  if (state.q) chips.push({ key: "q", label: `“${state.q}”`, remove: `Remove search ${state.q}`, clear: { q: "" } });
  for (const p of state.priority) {
    chips.push({ key: `p:${p}`, label: `${PRIORITY_LABELS[p]} priority`, remove: `Remove priority filter ${PRIORITY_LABELS[p]}`, clear: { priority: state.priority.filter((x) => x !== p) } });
  }
  for (const tag of state.tag) {
    chips.push({ key: `t:${tag}`, label: `#${tag}`, remove: `Remove tag filter ${tag}`, clear: { tag: state.tag.filter((t) => t !== tag) } });
  }
  if (state.due && !isDateView(state)) {
    chips.push({ key: "due", label: `Due: ${DUE_NAMES[state.due]}`, remove: `Remove due filter ${DUE_NAMES[state.due]}`, clear: { due: null } });
  }
  return chips;
}

/**
 * Search, sort and filters, behind one button (closed by default, so a phone shows tasks first);
 * what is in force shows as chips that stay visible with the panel closed.
 */
export function FilterPanel({ heading, open, onOpenChange, ...props }: Props) {
  const { state, setState, counts } = props;
  const chips = chipsOf(state);
  const toggleRef = useRef<HTMLButtonElement>(null);

  function removeFilter(clear: Partial<ListState>) {
    setState(clear);
    // The chip pressed goes away; focus stays near, on the panel's button.
    toggleRef.current?.focus();
  }
  return (
    <>
      <div className="view-head">
      {heading}
      <DisclosureButton ref={toggleRef} className="filter-toggle" open={open} controls={FILTER_PANEL_ID} onOpenChange={onOpenChange}>
        <Icon name="filter" />
        <span>Filters{chips.length > 0 && ` (${chips.length})`}</span>
      </DisclosureButton>
      </div>
      {chips.length > 0 ? (
        <div className="active-filters" role="group" aria-label="Filters in force">
          {chips.map((chip) => (
            <button key={chip.key} type="button" className="filter-chip" onClick={() => removeFilter(chip.clear)} aria-label={chip.remove}>
              <span>{chip.label}</span>
              <Icon name="close" />
            </button>
          ))}
          <button type="button" className="link clear-filters" onClick={() => removeFilter({ status: "all", q: "", priority: [], tag: [], due: null })}>
            Clear filters
          </button>
        </div>
      ) : null}
      <div
        id={FILTER_PANEL_ID}
        className="filter-panel"
        hidden={!open}
        onKeyDown={(event) => {
          if (event.key !== "Escape" || event.defaultPrevented) return;
          onOpenChange(false);
          toggleRef.current?.focus();
        }}
      >
        <TaskFilters status={state.status} counts={counts} onChange={(status) => setState({ status })} />
        <ListToolbar {...props} />
      </div>
    </>
  );
}
