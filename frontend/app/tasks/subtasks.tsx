"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { ApiClient, Task } from "@/lib/client/api";
import { TITLE_MAX_LENGTH } from "@/lib/shared/limits";
import { describeFailure } from "./messages";

interface Props {
  api: ApiClient;
  parent: Task;
  /** The parent's counts changed on the server: its row is fetched again. */
  onChanged: () => void;
}

export const subtasksKey = (parentId: number) => ["subtasks", parentId] as const;

/** A task's subtasks, inline under it: each can be completed, and one added at the end. */
export function Subtasks({ api, parent, onChanged }: Props) {
  const queryClient = useQueryClient();
  const key = subtasksKey(parent.id);
  const subtasks = useQuery({ queryKey: key, queryFn: () => api.listTasks({ parent: parent.id, sort: "manual", limit: 100 }) });
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function change(send: () => Promise<unknown>) {
    setError(null);
    try {
      await send();
    } catch (failure) {
      setError(describeFailure(failure));
    } finally {
      await queryClient.invalidateQueries({ queryKey: key });
      onChanged();
    }
  }

  function toggle(task: Task) {
    // A refetch in flight (after the last add) would put the box back: it is cancelled first.
    void queryClient.cancelQueries({ queryKey: key });
    queryClient.setQueryData<Task[]>(key, (rows) => rows?.map((t) => (t.id === task.id ? { ...t, completed: !t.completed } : t)));
    void change(() => api.updateTask(task.id, { completed: !task.completed }));
  }

  function add(event: FormEvent) {
    event.preventDefault();
    const typed = title.trim();
    if (!typed) return;
    setTitle("");
    void change(() => api.createTask({ title: typed, parent_id: parent.id }));
  }

  const rows = subtasks.data ?? [];
  return (
    <div className="subtasks">
      {subtasks.isPending && <p className="muted">Loading subtasks…</p>}
      {rows.length > 0 && (
        <ul aria-label={`Subtasks of ${parent.title}`}>
          {rows.map((task) => (
            <li key={task.id} data-subtask-id={task.id} className={task.completed ? "done" : undefined}>
              <label>
                <input type="checkbox" className="check small" checked={task.completed} onChange={() => toggle(task)} />
                <span>{task.title}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className="subtask-add">
        <label htmlFor={`subtask-add-${parent.id}`} className="sr-only">
          Add a subtask to {parent.title}
        </label>
        <input
          id={`subtask-add-${parent.id}`}
          value={title}
          maxLength={TITLE_MAX_LENGTH}
          placeholder="Add a subtask"
          autoComplete="off"
          onChange={(event) => setTitle(event.target.value)}
        />
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
