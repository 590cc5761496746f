"use client";

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { Task, TaskChanges } from "@/lib/client/api";
import { dueLabel } from "@/lib/client/due-dates";
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/shared/limits";
import { PRIORITIES, PRIORITY_LABELS, type Priority } from "@/lib/shared/priorities";
import { normalizeTag } from "@/lib/shared/tags";

interface Props {
  task: Task;
  /** The local day, "YYYY-MM-DD": due dates read relative to it. */
  today: string;
  onToggle: () => void;
  onSave: (changes: TaskChanges) => void;
  onDelete: () => void;
  /** The title was saved empty: ask whether to delete the task. */
  onEmptyTitle: () => void;
  onTag: (tag: string) => void;
}

/** The changes an edit form holds, compared with the task: only what differs is sent. */
function changesFrom(form: FormData, task: Task): TaskChanges {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const next: TaskChanges = {
    title: text("title"),
    description: text("description") || null,
    priority: text("priority") as Priority,
    due_date: text("due_date") || null,
    tags: [...new Set(text("tags").split(",").map(normalizeTag).filter(Boolean))].sort(),
  };
  const changes: TaskChanges = {};
  for (const key of Object.keys(next) as (keyof TaskChanges)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(task[key])) Object.assign(changes, { [key]: next[key] });
  }
  return changes;
}

export function TaskItem({ task, today, onToggle, onSave, onDelete, onEmptyTitle, onTag }: Props) {
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
    const changes = changesFrom(new FormData(event.currentTarget), task);
    if (changes.title === "") {
      onEmptyTitle();
      return;
    }
    if (Object.keys(changes).length > 0) onSave(changes);
    setEditing(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") {
      event.stopPropagation();
      setEditing(false);
    }
  }

  const base = `task-${task.id}`;
  if (editing) {
    return (
      <li className="task editing" data-task-id={task.id}>
        <form onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate className="edit-form" aria-label={`Edit ${task.title}`}>
          <div className="field">
            <label htmlFor={`${base}-title`}>Edit title</label>
            <input id={`${base}-title`} name="title" ref={titleInputRef} defaultValue={task.title} maxLength={TITLE_MAX_LENGTH} />
          </div>
          <div className="field">
            <label htmlFor={`${base}-description`}>Edit description</label>
            <textarea id={`${base}-description`} name="description" defaultValue={task.description ?? ""} maxLength={DESCRIPTION_MAX_LENGTH} rows={2} />
          </div>
          <div className="edit-details">
            <div className="field">
              <label htmlFor={`${base}-priority`}>Priority</label>
              <select id={`${base}-priority`} name="priority" defaultValue={task.priority}>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {PRIORITY_LABELS[p]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${base}-due`}>Due date</label>
              <input id={`${base}-due`} name="due_date" type="date" defaultValue={task.due_date ?? ""} />
            </div>
            <div className="field grow">
              <label htmlFor={`${base}-tags`}>Tags, separated by commas</label>
              <input id={`${base}-tags`} name="tags" defaultValue={task.tags.join(", ")} />
            </div>
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

  const due = task.due_date ? dueLabel(task.due_date, today, task.completed) : null;
  return (
    <li className={`task${task.completed ? " done" : ""}${due?.tone === "overdue" ? " overdue" : ""}`} data-task-id={task.id}>
      <input
        type="checkbox"
        checked={task.completed}
        onChange={onToggle}
        onKeyDown={(event) => {
          // Space ticks the box; Enter, which a checkbox ignores, edits the task. Cancelled, so
          // that the same keystroke does not go on to submit the edit form it opens.
          if (event.key !== "Enter") return;
          event.preventDefault();
          setEditing(true);
        }}
        aria-label={`Complete ${task.title}`}
        aria-keyshortcuts="Enter"
      />
      <div className="task-text">
        {/* Double-click edits, as in TodoMVC; Enter on the checkbox or the Edit button are the keyboard's way. */}
        <span className="task-title" onDoubleClick={() => setEditing(true)}>
          {task.title}
        </span>
        {task.description && <p className="task-description">{task.description}</p>}
        {(task.priority !== "none" || due || task.tags.length > 0) && (
          <div className="task-meta">
            {task.priority !== "none" && (
              <span className={`priority priority-${task.priority}`}>
                <span className="sr-only">Priority </span>
                {PRIORITY_LABELS[task.priority]}
              </span>
            )}
            {due && task.due_date && (
              <time className={`due due-${due.tone}`} dateTime={task.due_date} title={task.due_date}>
                <span aria-hidden="true">{due.text}</span>
                <span className="sr-only">{due.spoken}</span>
              </time>
            )}
            {task.tags.map((tag) => (
              <button key={tag} type="button" className="chip" onClick={() => onTag(tag)} aria-label={`Show tasks tagged ${tag}`}>
                #{tag}
              </button>
            ))}
          </div>
        )}
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
