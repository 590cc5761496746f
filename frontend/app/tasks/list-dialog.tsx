"use client";

import { useState, type FormEvent } from "react";
import type { ListColor, TaskList } from "@/lib/client/api";
import { useModalDialog } from "./use-modal-dialog";

export const LIST_COLORS: Record<ListColor, string> = {
  gray: "Gray",
  red: "Red",
  orange: "Orange",
  yellow: "Yellow",
  green: "Green",
  teal: "Teal",
  blue: "Blue",
  purple: "Purple",
  pink: "Pink",
};

/** The dialog's subject: a new list, or one to rename, recolour, move or delete. */
export type ListDialogTarget = { kind: "create" } | { kind: "edit"; list: TaskList };

interface Props {
  target: ListDialogTarget | null;
  /** Its place in the sidebar, to offer only the moves that exist. */
  canMove: { up: boolean; down: boolean };
  onClose: () => void;
  onSave: (fields: { name: string; color: ListColor }) => Promise<unknown>;
  onMove: (by: -1 | 1) => Promise<unknown>;
  onDelete: (tasks: "inbox" | "delete") => Promise<unknown>;
}

/** What the server refused (a taken name, too many lists), read out as it appears. */
function Problem({ text }: { text: string | null }) {
  return text ? (
    <p role="alert" className="error">
      {text}
    </p>
  ) : null;
}

/** Creates a list, or edits one: name, colour, place, and deletion (which asks what becomes of its tasks). */
export function ListDialog(props: Props) {
  const dialogRef = useModalDialog(props.target !== null);
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby="list-dialog-title"
      className="dialog list-dialog"
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
    >
      {/* Keyed so that each opening starts from the list's own values. */}
      {props.target && <ListDialogBody key={props.target.kind === "edit" ? props.target.list.id : "new"} {...props} target={props.target} />}
    </dialog>
  );
}

function ListDialogBody({ target, canMove, onClose, onSave, onMove, onDelete }: Props & { target: ListDialogTarget }) {
  const editing = target.kind === "edit" ? target.list : null;
  const [name, setName] = useState(editing?.name ?? "");
  const [color, setColor] = useState<ListColor>(editing?.color ?? "gray");
  const [deleting, setDeleting] = useState(false);
  const [tasks, setTasks] = useState<"inbox" | "delete">("inbox");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function act(send: () => Promise<unknown>, close = true) {
    setBusy(true);
    setError(null);
    try {
      await send();
      if (close) onClose();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setError("Give the list a name.");
      return;
    }
    void act(() => onSave({ name: name.trim(), color }));
  }

  if (deleting && editing) {
    return (
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => onDelete(tasks));
        }}
      >
        <h2 id="list-dialog-title">Delete “{editing.name}”?</h2>
        <fieldset className="choice">
          <legend>Its {editing.open_count === 1 ? "open task" : "tasks"}</legend>
          <label>
            <input type="radio" name="list-tasks" value="inbox" checked={tasks === "inbox"} onChange={() => setTasks("inbox")} />
            Move them to the Inbox
          </label>
          <label>
            <input type="radio" name="list-tasks" value="delete" checked={tasks === "delete"} onChange={() => setTasks("delete")} />
            Delete them too
          </label>
        </fieldset>
        <Problem text={error} />
        <div className="actions">
          <button type="button" onClick={() => setDeleting(false)}>
            Back
          </button>
          <button type="submit" className="danger" disabled={busy}>
            Delete list
          </button>
        </div>
      </form>
    );
  }

  return (
    <form onSubmit={submit} noValidate>
      <h2 id="list-dialog-title">{editing ? "Edit list" : "New list"}</h2>
      <div className="field">
        <label htmlFor="list-name">Name</label>
        <input id="list-name" value={name} maxLength={60} autoComplete="off" required onChange={(event) => setName(event.target.value)} />
      </div>
      <fieldset className="swatches">
        <legend>Colour</legend>
        {(Object.keys(LIST_COLORS) as ListColor[]).map((c) => (
          <label key={c} className="swatch" data-color={c} title={LIST_COLORS[c]}>
            <input type="radio" name="list-color" value={c} checked={color === c} onChange={() => setColor(c)} aria-label={LIST_COLORS[c]} />
          </label>
        ))}
      </fieldset>
      <Problem text={error} />
      {editing && (
        <div className="actions list-edit-actions">
          <button type="button" disabled={busy || !canMove.up} onClick={() => void act(() => onMove(-1), false)}>
            Move up
          </button>
          <button type="button" disabled={busy || !canMove.down} onClick={() => void act(() => onMove(1), false)}>
            Move down
          </button>
          <button type="button" className="danger" onClick={() => setDeleting(true)}>
            Delete…
          </button>
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {editing ? "Save" : "Create list"}
        </button>
      </div>
    </form>
  );
}
