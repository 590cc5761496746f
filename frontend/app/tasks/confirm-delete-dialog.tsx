"use client";

import type { Task } from "@/lib/client/api";
import { useModalDialog } from "./use-modal-dialog";

interface Props {
  task: Task | null;
  onConfirm: (task: Task) => void;
  onCancel: () => void;
}

/**
 * Asked when a task's title is saved empty (TodoMVC deletes it; we ask first).
 * A modal native <dialog>: the browser traps focus, closes it on Escape and
 * returns focus to where it was. Cancel comes first so a
 * stray Enter does not delete.
 */
export function ConfirmDeleteDialog({ task, onConfirm, onCancel }: Props) {
  const dialogRef = useModalDialog(task !== null);

  return (
    <dialog
      ref={dialogRef}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="delete-dialog-title"
      aria-describedby="delete-dialog-text"
      className="dialog"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id="delete-dialog-title">Delete task?</h2>
      <p id="delete-dialog-text">{task ? `The title is empty. Delete “${task.title}”? You can undo it for a few seconds.` : ""}</p>
      <div className="actions">
        <button type="button" onClick={onCancel}>
          Keep editing
        </button>
        <button type="button" className="danger" onClick={() => {
            // Close first so focus can move to the page; the deleted task's button is about to vanish.
            dialogRef.current?.close();
            if (task) onConfirm(task);
          }}>
          Delete
        </button>
      </div>
    </dialog>
  );
}
