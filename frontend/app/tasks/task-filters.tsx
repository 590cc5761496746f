"use client";

import type { Counts } from "@/lib/client/task-list";
import type { Status } from "@/lib/client/url-state";

const STATUSES: { value: Status; label: string }[] = [
  { value: "all", label: "All" },
  { value: "active", label: "Active" },
  { value: "completed", label: "Completed" },
];

interface Props {
  status: Status;
  counts: Counts | undefined;
  onChange: (status: Status) => void;
}

export function TaskFilters({ status, counts, onChange }: Props) {
  return (
    <div className="filters">
      <div role="group" aria-label="Show" className="filter-buttons">
        {STATUSES.map(({ value, label }) => (
          <button key={value} type="button" aria-pressed={status === value} onClick={() => onChange(value)}>
            {label}
            {/* Hidden from the button's name (kept "All"/"Active"/"Completed"); the summary below reads the numbers. */}
            <span className="count" data-testid={`count-${value}`} aria-hidden="true">
              {counts?.[value] ?? "…"}
            </span>
          </button>
        ))}
      </div>
      <p className="sr-only" aria-live="polite">
        {counts && `${counts.all} tasks: ${counts.active} active, ${counts.completed} completed.`}
      </p>
    </div>
  );
}
