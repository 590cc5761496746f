"use client";

import { useState, type FormEvent, type Ref } from "react";
import type { NewTask } from "@/lib/client/api";
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/shared/limits";

/** The first field's id: the page's `n` shortcut focuses it (or use the `ref`). */
export const QUICK_ADD_INPUT_ID = "new-task-title";

export interface AddTaskFormProps {
  /** Creates the task; rejects with an Error whose message is fit to show when it could not. */
  onCreate: (input: NewTask) => Promise<void>;
  /** The person's tags (GET /tags), for suggestions. */
  tags: readonly string[];
  /** The first field. */
  ref?: Ref<HTMLInputElement | null>;
}

export function AddTaskForm({ onCreate, ref }: AddTaskFormProps) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const trimmed = title.trim();
    if (!trimmed) {
      setProblem("Enter a title for the task.");
      form.querySelector<HTMLInputElement>(`#${QUICK_ADD_INPUT_ID}`)?.focus();
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await onCreate({ title: trimmed, description: description.trim() || null });
      setTitle("");
      setDescription("");
    } catch (error) {
      // Typed input is kept when adding fails, so nothing has to be retyped.
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
      form.querySelector<HTMLInputElement>(`#${QUICK_ADD_INPUT_ID}`)?.focus();
    }
  }

  return (
    <form className="card add-form" onSubmit={onSubmit} noValidate aria-label="Add a task">
      {problem && (
        <p role="alert" className="alert">
          {problem}
        </p>
      )}
      <div className="field">
        <label htmlFor={QUICK_ADD_INPUT_ID}>Title</label>
        <input
          id={QUICK_ADD_INPUT_ID}
          ref={ref}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          maxLength={TITLE_MAX_LENGTH}
          placeholder="What needs doing?"
          required
        />
      </div>
      <div className="field">
        <label htmlFor="new-task-description">Description</label>
        <textarea
          id="new-task-description"
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          maxLength={DESCRIPTION_MAX_LENGTH}
          rows={2}
          placeholder="Optional details"
        />
      </div>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Adding…" : "Add task"}
      </button>
    </form>
  );
}
