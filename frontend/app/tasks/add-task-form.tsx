"use client";

import { useState, type FormEvent, type RefObject } from "react";
import { DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH } from "@/lib/shared/limits";

interface Props {
  onAdd: (title: string, description: string | null) => Promise<boolean>;
  onInvalid: (message: string) => void;
  titleRef: RefObject<HTMLInputElement | null>;
}

export function AddTaskForm({ onAdd, onInvalid, titleRef }: Props) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) {
      onInvalid("Enter a title for the task.");
      titleRef.current?.focus();
      return;
    }
    setBusy(true);
    // Typed input is kept when adding fails, so nothing has to be retyped.
    const added = await onAdd(trimmed, description.trim() || null);
    setBusy(false);
    if (added) {
      setTitle("");
      setDescription("");
    }
    titleRef.current?.focus();
  }

  return (
    <form className="card add-form" onSubmit={onSubmit} noValidate aria-label="Add a task">
      <div className="field">
        <label htmlFor="new-task-title">Title</label>
        <input
          id="new-task-title"
          ref={titleRef}
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
