"use client";

import { useRef, useState, type KeyboardEvent } from "react";
import { suggestTags, tagProblem } from "@/lib/client/quick-add";
import { normalizeTag } from "@/lib/shared/tags";
import { TAGS_PER_TASK } from "@/lib/shared/limits";
import styles from "./add-task-form.module.css";
import { ChipList } from "./chip-list";

interface Props {
  id: string;
  /** The chosen tags, normalised. */
  value: string[];
  onChange: (tags: string[]) => void;
  /** What is typed but not yet a tag; the form sends it too, so nothing typed is lost. */
  text: string;
  onTextChange: (text: string) => void;
  /** The tags to suggest: the person's existing ones. */
  known: readonly string[];
  /** A problem found when the form was submitted. */
  problem?: string;
}

/**
 * A tag field: a combobox (ARIA 1.2, list autocomplete) suggesting the known tags. Arrow keys move
 * through the suggestions, Enter or a click picks one, Enter or "," makes a tag of the typed text,
 * Escape closes the list, Backspace in an empty field removes the last tag.
 */
export function TagInput({ id, value, onChange, text, onTextChange, known, problem }: Props) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [entryProblem, setEntryProblem] = useState<string | null>(null);
  const suggestions = suggestTags(known, text, value);
  const expanded = open && suggestions.length > 0;
  const listboxId = `${id}-suggestions`;
  const optionId = (index: number) => `${id}-option-${index}`;
  const shownProblem = entryProblem ?? problem;
  const errorId = `${id}-error`;

  function close() {
    setOpen(false);
    setActive(-1);
  }

  function add(raw: string) {
    const name = normalizeTag(raw);
    const full = !value.includes(name) && value.length >= TAGS_PER_TASK;
    const reason = tagProblem(name) ?? (full ? `A task has at most ${TAGS_PER_TASK} tags.` : null);
    setEntryProblem(reason);
    if (reason) return;
    if (!value.includes(name)) onChange([...value, name]);
    onTextChange("");
    close();
  }

  function remove(name: string) {
    onChange(value.filter((tag) => tag !== name));
    inputRef.current?.focus();
  }

  function move(step: 1 | -1) {
    const count = suggestions.length;
    if (count === 0) return;
    setOpen(true);
    setActive((current) => (current < 0 ? (step === 1 ? 0 : count - 1) : (current + step + count) % count));
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" || event.key === ",") {
      const picked = expanded && active >= 0 ? suggestions[active] : text;
      // Enter in an empty field submits the form, as in any other field.
      if (!picked.trim()) return;
      event.preventDefault();
      add(picked);
    } else if (event.key === "Escape" && expanded) {
      // Only the list closes; the page's own Escape handling must not see this key.
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === "Backspace" && text === "" && value.length > 0) {
      onChange(value.slice(0, -1));
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>Tags</label>
      <ChipList
        label="Chosen tags"
        chips={value.map((tag) => ({ key: tag, label: `#${tag}`, removeLabel: `Remove tag ${tag}`, onRemove: () => remove(tag) }))}
      />
      <div className={styles.combobox}>
        <input
          id={id}
          ref={inputRef}
          role="combobox"
          autoComplete="off"
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listboxId}
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          aria-invalid={shownProblem ? true : undefined}
          aria-describedby={shownProblem ? `${id}-hint ${errorId}` : `${id}-hint`}
          value={text}
          placeholder="Add a tag"
          onChange={(event) => {
            onTextChange(event.target.value);
            setEntryProblem(null);
            setOpen(true);
            setActive(-1);
          }}
          onKeyDown={onKeyDown}
          onBlur={close}
        />
        <ul id={listboxId} role="listbox" aria-label="Suggested tags" className={styles.listbox} hidden={!expanded}>
          {expanded &&
            suggestions.map((tag, index) => (
              <li
                key={tag}
                id={optionId(index)}
                role="option"
                aria-selected={index === active}
                className={styles.option}
                // Keeps the focus in the field, so the click picks and typing goes on.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => add(tag)}
              >
                {tag}
              </li>
            ))}
        </ul>
      </div>
      <p id={`${id}-hint`} className="hint">
        Enter or comma adds a tag; arrow keys choose one of yours.
      </p>
      {shownProblem && (
        <p id={errorId} className={styles.error}>
          {shownProblem}
        </p>
      )}
    </div>
  );
}
