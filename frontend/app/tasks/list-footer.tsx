"use client";

import { itemsLeft, type Counts } from "@/lib/client/task-list";

interface Props {
  counts: Counts;
  onToggleAll: () => void;
  onClearCompleted: () => void;
}

/** TodoMVC's footer, over every task the filters match (not only the rows loaded so far). */
export function ListFooter({ counts, onToggleAll, onClearCompleted }: Props) {
  if (counts.all === 0) return null;
  return (
    <div className="list-footer">
      <span className="items-left" data-testid="items-left">
        {itemsLeft(counts.active)}
      </span>
      <div className="actions">
        <button type="button" onClick={onToggleAll}>
          {counts.active > 0 ? "Mark all complete" : "Mark all active"}
        </button>
        {counts.completed > 0 && (
          <button type="button" onClick={onClearCompleted}>
            Clear completed
          </button>
        )}
      </div>
    </div>
  );
}
