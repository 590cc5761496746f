"use client";

import type { Pending } from "./use-task-list";

interface Props {
  pending: Pending | null;
  onUndo: () => void;
  /** Closes the toast: the deletion is sent now. */
  onDismiss: () => void;
}

function describe(pending: Pending): string {
  if (pending.kind === "delete") return `Deleted “${pending.task.title}”.`;
  return `Cleared ${pending.count} completed ${pending.count === 1 ? "task" : "tasks"}.`;
}

/** Always in the page, so screen readers announce what appears in it. */
export function UndoToast({ pending, onUndo, onDismiss }: Props) {
  return (
    <div className="toast-region" role="status" aria-live="polite">
      {pending && (
        <div className="toast">
          <span>{describe(pending)}</span>
          <button type="button" className="primary" onClick={onUndo}>
            Undo
          </button>
          <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss, keep it deleted">
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
