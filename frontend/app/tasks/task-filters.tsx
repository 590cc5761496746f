"use client";

import type { Counts, Filter } from "@/lib/client/task-list";

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "active", label: "Active" },
  { value: "completed", label: "Completed" },
];

interface Props {
  filter: Filter;
  counts: Counts;
  onChange: (filter: Filter) => void;
}

export function TaskFilters({ filter, counts, onChange }: Props) {
  return (
    <div className="filters">
      <div role="group" aria-label="Show" className="filter-buttons">
        {FILTERS.map(({ value, label }) => (
          <button key={value} type="button" aria-pressed={filter === value} onClick={() => onChange(value)}>
            {label}
            {/* Hidden from the button's name (kept "All"/"Active"/"Completed"); the summary below reads the numbers. */}
            <span className="count" data-testid={`count-${value}`} aria-hidden="true">
              {counts[value]}
            </span>
          </button>
        ))}
      </div>
      <p className="sr-only" aria-live="polite">
        {counts.all} tasks: {counts.active} active, {counts.completed} completed.
      </p>
    </div>
  );
}
