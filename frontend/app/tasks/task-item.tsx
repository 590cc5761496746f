"use client";

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { Task, TaskChanges } from "@/lib/client/api";
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/shared/limits";

interface Props {
  task: Task;
  onToggle: () => void;
  onSave: (changes: TaskChanges) => void;
  onDelete: () => void;
  onInvalid: (message: string) => void;
}

export function TaskItem({ task, onToggle, onSave, onDelete, onInvalid }: Props) {
  const [editing, setEditing] = useState(false);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const titleInputRef = useRef<HTMLInputElement>(null);
  const wasEditing = useRef(false);

  // Keyboard focus follows the mode: into the form when editing starts, back to "Edit" when it ends.
  useEffect(() => {
    if (editing) titleInputRef.current?.focus();
    else if (wasEditing.current) editButtonRef.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const title = String(data.get("title") ?? "").trim();
    const description = String(data.get("description") ?? "").trim() || null;
    if (!title) {
      onInvalid("A task needs a title.");
      titleInputRef.current?.focus();
      return;
    }
    if (title !== task.title || description !== task.description) onSave({ title, description });
    setEditing(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") setEditing(false);
  }

  if (editing) {
    const base = `task-${task.id}`;
    return (
      <li className="task editing">
        <form onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate className="edit-form">
          <div className="field">
            <label htmlFor={`${base}-title`}>Edit title</label>
            <input id={`${base}-title`} name="title" ref={titleInputRef} defaultValue={task.title} maxLength={TITLE_MAX_LENGTH} required />
          </div>
          <div className="field">
            <label htmlFor={`${base}-description`}>Edit description</label>
            <textarea id={`${base}-description`} name="description" defaultValue={task.description ?? ""} maxLength={DESCRIPTION_MAX_LENGTH} rows={2} />
          </div>
          <div className="actions">
            <button type="submit" className="primary">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li className={task.completed ? "task done" : "task"}>
      <input type="checkbox" checked={task.completed} onChange={onToggle} aria-label={`Complete ${task.title}`} />
      <div className="task-text">
        <span className="task-title">{task.title}</span>
        {task.description && <p className="task-description">{task.description}</p>}
      </div>
      <div className="actions">
        <button type="button" ref={editButtonRef} onClick={() => setEditing(true)} aria-label={`Edit ${task.title}`}>
          Edit
        </button>
        <button type="button" className="danger" onClick={onDelete} aria-label={`Delete ${task.title}`}>
          Delete
        </button>
      </div>
    </li>
  );
}
