"use client";

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { ApiClient, Task, TaskChanges, TaskList } from "@/lib/client/api";
import { chipDay, dueLabel } from "@/lib/client/due-dates";
import { parseQuickAdd } from "@/lib/client/quick-add";
import { describeRepeat } from "@/lib/client/repeat";
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/shared/limits";
import { PRIORITIES, PRIORITY_LABELS, type Priority } from "@/lib/shared/priorities";
import { normalizeTag } from "@/lib/shared/tags";
import { Icon } from "./app-icon";
import { RepeatEditor } from "./repeat-editor";
import { Subtasks } from "./subtasks";
import { useDraggableRow } from "./task-dnd";
import { NamedOptions } from "@/app/forms/fields";


interface Props {
  task: Task;
  api: ApiClient;
  /** The user's lists: the edit form's list picker, and the name on the row. */
  lists: TaskList[];
  /** The row names its list, except in that list's own view. */
  showList: boolean;
  /** A subtask changed: the parent's progress is read again. */
  onSubtasksChanged: () => void;
  /** The local day, "YYYY-MM-DD": due dates read relative to it. */
  today: string;
  /** The list's one Tab stop (roving tabindex): this row's checkbox takes Tab, the others -1. */
  active: boolean;
  editing: boolean;
  onActivate: () => void;
  onEdit: (editing: boolean) => void;
  onToggle: () => void;
  onSave: (changes: TaskChanges) => void;
  onDelete: () => void;
  /** The title was saved empty: ask whether to delete the task. */
  onEmptyTitle: () => void;
  onTag: (tag: string) => void;
}

/**
 * The changes an edit form holds, compared with the task: only what differs is sent. A changed
 * title is read as the add field reads its line ("Call mom friday !high #family"); an unchanged
 * one is left alone, so a title that happens to hold a date word keeps it.
 */
function changesFrom(form: FormData, task: Task, today: Date): TaskChanges {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  const typed = text("title");
  const parsed = typed === task.title ? null : parseQuickAdd(typed, { today });
  const fieldTags = text("tags").split(",").map(normalizeTag).filter(Boolean);
  const next: TaskChanges = {
    title: parsed ? parsed.title : typed,
    description: text("description") || null,
    priority: parsed?.priority?.value ?? (text("priority") as Priority),
    due_date: parsed?.due?.date ?? (text("due_date") || null),
    due_time: text("due_time") || null,
    list_id: text("list_id") ? Number(text("list_id")) : null,
    repeat: text("repeat") || null,
    repeat_from: text("repeat_from") === "completion" ? "completion" : "due",
    tags: [...new Set([...fieldTags, ...(parsed?.tags.map((tag) => tag.name) ?? [])])].sort(),
  };
  const changes: TaskChanges = {};
  for (const key of Object.keys(next) as (keyof TaskChanges)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(task[key])) Object.assign(changes, { [key]: next[key] });
  }
  return changes;
}

function EditForm({ task, lists, onEdit, onSave, onEmptyTitle }: Pick<Props, "task" | "lists" | "onEdit" | "onSave" | "onEmptyTitle">) {
  const [title, setTitle] = useState(task.title);
  const titleInputRef = useRef<HTMLInputElement>(null);
  const now = new Date();
  const parsed = title.trim() === task.title ? null : parseQuickAdd(title, { today: now });
  const understood = parsed
    ? [
        parsed.priority && `priority ${PRIORITY_LABELS[parsed.priority.value]}`,
        parsed.due && `due ${chipDay(parsed.due.date, now)}`,
        ...parsed.tags.map((tag) => `#${tag.name}`),
      ].filter(Boolean)
    : [];

  useEffect(() => titleInputRef.current?.focus(), []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const changes = changesFrom(new FormData(event.currentTarget), task, new Date());
    if (changes.title === "") {
      onEmptyTitle();
      return;
    }
    if (Object.keys(changes).length > 0) onSave(changes);
    onEdit(false);
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>) {
    if (event.key === "Escape") {
      event.stopPropagation();
      onEdit(false);
    }
  }

  const base = `task-${task.id}`;
  return (
    <form onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate className="edit-form" aria-label={`Edit ${task.title}`}>
      <div className="field">
        <label htmlFor={`${base}-title`}>Edit title</label>
        <input
          id={`${base}-title`}
          name="title"
          ref={titleInputRef}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          maxLength={TITLE_MAX_LENGTH}
          aria-describedby={`${base}-understood`}
        />
        <p id={`${base}-understood`} className="hint" aria-live="polite">
          {understood.length > 0 ? `Understood: ${understood.join(", ")}.` : "Dates, !priority and #tags work here as in the add field."}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${base}-description`}>Edit description</label>
        <textarea id={`${base}-description`} name="description" defaultValue={task.description ?? ""} maxLength={DESCRIPTION_MAX_LENGTH} rows={2} />
      </div>
      <div className="edit-details">
        <div className="field">
          <label htmlFor={`${base}-priority`}>Priority</label>
          <select id={`${base}-priority`} name="priority" defaultValue={task.priority}>
            <NamedOptions values={PRIORITIES} names={PRIORITY_LABELS} />
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${base}-due`}>Due date</label>
          <input id={`${base}-due`} name="due_date" type="date" defaultValue={task.due_date ?? ""} />
        </div>
        <div className="field">
          <label htmlFor={`${base}-time`}>Time</label>
          <input id={`${base}-time`} name="due_time" type="time" defaultValue={task.due_time ?? ""} />
        </div>
        {task.parent_id === null && (
          <div className="field">
            <label htmlFor={`${base}-list`}>List</label>
            <select id={`${base}-list`} name="list_id" defaultValue={task.list_id ?? ""}>
              <option value="">Inbox</option>
              {lists.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field grow">
          <label htmlFor={`${base}-tags`}>Tags, separated by commas</label>
          <input id={`${base}-tags`} name="tags" defaultValue={task.tags.join(", ")} />
        </div>
      </div>
      <RepeatEditor id={`${base}-repeat`} repeat={task.repeat} from={task.repeat_from} />
      <div className="actions">
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={() => onEdit(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * One task: a round completion target, the title, one line of details; edit and delete show on
 * hover or when the row holds focus (the keyboard has e and Delete). Only the checkbox of the
 * active row is in the Tab order.
 */
export function TaskItem(props: Props) {
  const { task, today, active, editing, onActivate, onEdit, onToggle, onDelete, onTag, api, lists, showList, onSubtasksChanged } = props;
  const checkboxRef = useRef<HTMLInputElement>(null);
  const [expanded, setExpanded] = useState(false);
  const { setNodeRef, listeners, style, isDragging } = useDraggableRow(task.id);

  if (editing) {
    return (
      <li ref={setNodeRef} className="task editing" data-task-id={task.id}>
        <EditForm {...props} />
      </li>
    );
  }

  const due = task.due_date ? dueLabel(task.due_date, today, task.completed) : null;
  const list = showList && task.list_id !== null ? lists.find((l) => l.id === task.list_id) : undefined;
  const subtasks = task.subtasks;
  const hasMeta = Boolean(task.priority !== "none" || due || task.tags.length > 0 || task.description || task.repeat || list || subtasks?.total);
  return (
    <li
      ref={setNodeRef}
      style={style}
      {...listeners}
      className={`task${task.completed ? " done" : ""}${due?.tone === "overdue" ? " overdue" : ""}`}
      data-task-id={task.id}
      data-active={active || undefined}
      data-dragging={isDragging || undefined}
    >
      <input
        ref={checkboxRef}
        type="checkbox"
        className="check"
        tabIndex={active ? 0 : -1}
        checked={task.completed}
        onChange={onToggle}
        onFocus={onActivate}
        onKeyDown={(event) => {
          // Space ticks the box; Enter, which a checkbox ignores, edits the task. Cancelled, so
          // that the same keystroke does not go on to submit the edit form it opens.
          if (event.key !== "Enter") return;
          event.preventDefault();
          onEdit(true);
        }}
        aria-label={`Complete ${task.title}`}
        aria-keyshortcuts="x Enter"
      />
      {/* A click on the text makes the row the active one; a double click edits, as in TodoMVC. */}
      <div className="task-text" onClick={() => checkboxRef.current?.focus()} onDoubleClick={() => onEdit(true)}>
        <span className="task-title">{task.title}</span>
        {hasMeta && (
          <div className="task-meta">
            {due && task.due_date && (
              <time className={`due due-${due.tone}`} dateTime={task.due_date} title={task.due_date}>
                <span aria-hidden="true">{due.text}</span>
                <span className="sr-only">{due.spoken}</span>
                {task.due_time && ` ${task.due_time}`}
              </time>
            )}
            {task.repeat && (
              <span className="repeat" title={describeRepeat(task.repeat, task.repeat_from)}>
                <Icon name="repeat" />
                <span className="sr-only">{describeRepeat(task.repeat, task.repeat_from)}</span>
              </span>
            )}
            {subtasks && subtasks.total > 0 && (
              <button
                type="button"
                className="subtask-count"
                tabIndex={-1}
                aria-expanded={expanded}
                onClick={(event) => {
                  event.stopPropagation();
                  setExpanded((open) => !open);
                }}
              >
                <span aria-hidden="true">
                  {subtasks.completed}/{subtasks.total}
                </span>
                <span className="sr-only">
                  Subtasks: {subtasks.completed} of {subtasks.total} done
                </span>
              </button>
            )}
            {list && (
              <span className="task-list-name">
                <span className="list-dot" data-color={list.color} aria-hidden="true" />
                {list.name}
              </span>
            )}
            {task.priority !== "none" && (
              <span className={`priority priority-${task.priority}`}>
                <span className="sr-only">Priority </span>
                {PRIORITY_LABELS[task.priority]}
              </span>
            )}
            {task.tags.map((tag) => (
              <button
                key={tag}
                type="button"
                className="tag"
                tabIndex={-1}
                onClick={(event) => {
                  event.stopPropagation();
                  onTag(tag);
                }}
                aria-label={`Show tasks tagged ${tag}`}
              >
                <span>#{tag}</span>
              </button>
            ))}
            {task.description && <span className="task-description">{task.description}</span>}
          </div>
        )}
      </div>
      <div className="row-actions">
        {task.parent_id === null && !subtasks?.total && (
          <button
            type="button"
            className="icon-button"
            tabIndex={-1}
            onClick={() => setExpanded((open) => !open)}
            aria-expanded={expanded}
            aria-label={`Subtasks of ${task.title}`}
            title="Subtasks"
          >
            <Icon name="subtasks" />
          </button>
        )}
        <button type="button" className="icon-button" tabIndex={-1} onClick={() => onEdit(true)} aria-label={`Edit ${task.title}`} title="Edit (e)">
          <Icon name="edit" />
        </button>
        <button type="button" className="icon-button" tabIndex={-1} onClick={onDelete} aria-label={`Delete ${task.title}`} title="Delete (Delete)">
          <Icon name="delete" />
        </button>
      </div>
      {expanded && <Subtasks api={api} parent={task} onChanged={onSubtasksChanged} />}
    </li>
  );
}
