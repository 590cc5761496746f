"use client";

import { useImperativeHandle, useRef, useState, type FormEvent, type Ref } from "react";
import { flushSync } from "react-dom";
import {
  EMPTY_DETAILS,
  draftTask,
  parseQuickAdd,
  type DraftField,
  type QuickAdd,
  type TaskCreate,
  type TaskDetails,
} from "@/lib/client/quick-add";
import { chipDay } from "@/lib/client/due-dates";
import { PRIORITIES, PRIORITY_LABELS, type Priority } from "@/lib/shared/priorities";
import { describeRepeat } from "@/lib/client/repeat";
import { DESCRIPTION_MAX_LENGTH } from "@/lib/shared/limits";
import styles from "./add-task-form.module.css";
import { DisclosureButton } from "./disclosure-button";
import { TagInput } from "./tag-input";
import { ChipList } from "./chip-list";
import { NamedOptions } from "@/app/forms/fields";

/** The quick-add line's id: the page's `n` shortcut focuses it (or use the `ref`). */
export const QUICK_ADD_INPUT_ID = "quick-add-input";

export interface AddTaskFormProps {
  /** Creates the task; rejects with an Error whose message is fit to show when it could not. */
  onCreate: (input: TaskCreate) => Promise<void>;
  /** The person's tags (GET /tags), suggested in the details' tag field. */
  tags: readonly string[];
  /** The person's lists, for `^List`. */
  lists?: readonly { id: number; name: string }[];
  /** The quick-add line. */
  ref?: Ref<HTMLInputElement | null>;
}

const ID = {
  hint: "quick-add-hint",
  details: "quick-add-details",
  description: "quick-add-description",
  priority: "quick-add-priority",
  dueDate: "quick-add-due",
  tags: "quick-add-tags",
} as const;

const FIELD_IDS: Record<DraftField, string> = {
  line: QUICK_ADD_INPUT_ID,
  description: ID.description,
  dueDate: ID.dueDate,
  tags: ID.tags,
};

const errorId = (field: DraftField) => `${FIELD_IDS[field]}-error`;

interface Chip {
  key: string;
  label: string;
  /** The words in the line, which stay there as text when the chip is removed. */
  text: string;
  kind: "priority" | "due" | "tag" | "time" | "repeat" | "list";
  problem?: string | null;
}

/** A chip as words: "tag home" rather than "#home". */
const spoken = (chip: Chip) => (chip.kind === "tag" ? `tag ${chip.label.slice(1)}` : chip.label);

function chipsOf(parsed: QuickAdd, today: Date): Chip[] {
  const chips: Chip[] = [];
  if (parsed.priority) {
    const { key, text, value } = parsed.priority;
    chips.push({ key, text, kind: "priority", label: `Priority: ${PRIORITY_LABELS[value]}` });
  }
  if (parsed.due) {
    const { key, text, date } = parsed.due;
    chips.push({ key, text, kind: "due", label: `Due: ${chipDay(date, today)}` });
  }
  if (parsed.time) {
    const { key, text, value } = parsed.time;
    chips.push({ key, text, kind: "time", label: `At ${value}` });
  }
  if (parsed.repeat) {
    const { key, text, rule, from, problem } = parsed.repeat;
    chips.push({ key, text, kind: "repeat", label: `Repeat: ${describeRepeat(rule, from)}`, problem });
  }
  if (parsed.list) {
    const { key, text, name, id } = parsed.list;
    chips.push({ key, text, kind: "list", label: `List: ${name}`, problem: id === null ? `No list named “${name}”.` : null });
  }
  for (const tag of parsed.tags) {
    chips.push({ key: tag.key, text: tag.key, kind: "tag", label: `#${tag.name}`, problem: tag.problem });
  }
  return chips;
}

/**
 * Adds a task from one line ("Pay rent tomorrow !high #home"), showing what it understood as
 * removable chips as the person types; a details area adds a description, priority, due date and
 * tags. Everything is checked as the backend would before sending; if creating fails, what was
 * typed stays.
 */
export function AddTaskForm({ onCreate, tags, lists = [], ref }: AddTaskFormProps) {
  const lineRef = useRef<HTMLInputElement>(null);
  useImperativeHandle<HTMLInputElement | null, HTMLInputElement | null>(ref, () => lineRef.current, []);
  const [line, setLine] = useState("");
  const [keepAsText, setKeepAsText] = useState<ReadonlySet<string>>(new Set());
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [details, setDetails] = useState<TaskDetails>(EMPTY_DETAILS);
  const [tagText, setTagText] = useState("");
  const [attempted, setAttempted] = useState(false);
  /** Creates on their way: the line stays writable meanwhile. */
  const [sending, setSending] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  // "Today" is the browser's local day at the time of typing.
  const today = new Date();
  const parsed = parseQuickAdd(line, { today, keepAsText, lists });
  const draft = draftTask(parsed, { ...details, tags: tagText.trim() ? [...details.tags, tagText] : details.tags });
  // Problems show once the person has tried to add, then follow every change.
  const problems = attempted && !draft.ok ? draft.problems : {};
  const chips = chipsOf(parsed, today);

  function change<K extends keyof TaskDetails>(field: K, value: TaskDetails[K]) {
    setDetails((current) => ({ ...current, [field]: value }));
  }

  /** A field's ARIA ties to its problem, when it has one, and to the descriptions in `more`. */
  function problemAria(field: DraftField, ...more: string[]) {
    return {
      "aria-invalid": problems[field] ? true : undefined,
      "aria-describedby": [...more, ...(problems[field] ? [errorId(field)] : [])].join(" ") || undefined,
    };
  }

  function problemText(field: DraftField) {
    return (
      problems[field] && (
        <p id={errorId(field)} className={styles.error}>
          {problems[field]}
        </p>
      )
    );
  }

  function keepChipAsText(key: string) {
    setKeepAsText((current) => new Set([...current, key]));
    lineRef.current?.focus();
  }

  function focusField(field: DraftField) {
    // The details area may be closed: open it first, so the field can take focus.
    if (field !== "line") flushSync(() => setDetailsOpen(true));
    document.getElementById(FIELD_IDS[field])?.focus();
  }

  function clear() {
    setLine("");
    setKeepAsText(new Set());
    setDetails(EMPTY_DETAILS);
    setTagText("");
    setAttempted(false);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAttempted(true);
    setAdded(null);
    if (!draft.ok) {
      const first = (["line", "description", "dueDate", "tags"] as const).find((field) => draft.problems[field]);
      if (first) focusField(first);
      return;
    }
    // The field empties at once and stays writable: what is typed while this task is on its way
    // is the next task, and this one's answer never touches it (a read-only field dropped the
    // first letters typed after Enter).
    const submitted = { line, keepAsText, details, tagText };
    clear();
    // The next task starts in the line, wherever in the form Enter was pressed.
    lineRef.current?.focus();
    setFailure(null);
    setSending((count) => count + 1);
    try {
      await onCreate(draft.task);
      setAdded(draft.task.title);
    } catch (error) {
      const reason = error instanceof Error ? error.message : "something went wrong.";
      // Nothing typed is lost: the failed line comes back unless the person has started another,
      // which then stays as it is and the message names the failed one.
      if (lineRef.current?.value === "") {
        setLine(submitted.line);
        setKeepAsText(submitted.keepAsText);
        setDetails(submitted.details);
        setTagText(submitted.tagText);
        setFailure(`Could not add the task: ${reason}`);
        lineRef.current.focus();
      } else {
        setFailure(`Could not add “${submitted.line}”: ${reason} Type it again when the connection is back.`);
      }
    } finally {
      setSending((count) => count - 1);
    }
  }

  const summary = chips.map(spoken).join(", ");

  return (
    <form className={`card ${styles.form}`} onSubmit={onSubmit} noValidate aria-label="Add a task">
      <label htmlFor={QUICK_ADD_INPUT_ID} className="sr-only">
        New task
      </label>
      <div className={styles.lineRow}>
        <input
          id={QUICK_ADD_INPUT_ID}
          ref={lineRef}
          autoComplete="off"
          value={line}
          placeholder="Pay rent tomorrow !high #home"
          {...problemAria("line", ID.hint, ...(failure ? ["quick-add-failure"] : []))}
          onChange={(event) => {
            setLine(event.target.value);
            setAdded(null);
            if (!event.target.value) setKeepAsText(new Set());
          }}
        />
        <DisclosureButton className={styles.disclosure} open={detailsOpen} controls={ID.details} onOpenChange={setDetailsOpen}>
          <span aria-hidden="true">{detailsOpen ? "▾" : "▸"}</span> Details
        </DisclosureButton>
        <button type="submit" className="primary" aria-describedby={sending > 0 ? "quick-add-sending" : undefined}>
          Add task
        </button>
      </div>
      <p id={ID.hint} className={`hint ${styles.hint}`}>
        Understood: !high, #tag, ^List, fri 5pm, every mon. Enter adds the task.
      </p>

      <ChipList
        label="Understood from the line"
        chips={chips.map((chip) => ({
          key: chip.key,
          label: chip.label,
          invalid: Boolean(chip.problem),
          removeLabel: `Remove ${spoken(chip)}, keep “${chip.text}” as text`,
          removeTitle: `Keep “${chip.text}” as text`,
          onRemove: () => keepChipAsText(chip.key),
        }))}
      />
      <p className="sr-only" aria-live="polite">
        {summary && `Understood: ${summary}.`}
      </p>

      {problemText("line")}
      {failure && (
        <p id="quick-add-failure" role="alert" className={styles.error}>
          {failure}
        </p>
      )}
      <p role="status" className="sr-only" id="quick-add-sending">
        {sending > 0 ? "Adding…" : added && `Added “${added}”.`}
      </p>

      <div id={ID.details} className={styles.details} hidden={!detailsOpen}>
        <div className="field">
          <label htmlFor={ID.description}>Description</label>
          <textarea
            id={ID.description}
            value={details.description}
            onChange={(event) => change("description", event.target.value)}
            maxLength={DESCRIPTION_MAX_LENGTH}
            rows={2}
            placeholder="Optional details"
            {...problemAria("description")}
          />
          {problemText("description")}
        </div>
        <div className={styles.detailsRow}>
          <div className="field">
            <label htmlFor={ID.priority}>Priority</label>
            <select id={ID.priority} value={details.priority} onChange={(event) => change("priority", event.target.value as Priority)}>
              <NamedOptions values={PRIORITIES} names={PRIORITY_LABELS} />
            </select>
          </div>
          <div className="field">
            <label htmlFor={ID.dueDate}>Due date</label>
            <input
              id={ID.dueDate}
              type="date"
              value={details.dueDate}
              onChange={(event) => change("dueDate", event.target.value)}
              {...problemAria("dueDate")}
            />
            {problemText("dueDate")}
          </div>
        </div>
        <TagInput
          id={ID.tags}
          value={details.tags}
          onChange={(chosen) => change("tags", chosen)}
          text={tagText}
          onTextChange={setTagText}
          known={tags}
          problem={problems.tags}
        />
        <p className="hint">A priority or date typed in the line wins over the ones chosen here.</p>
      </div>
    </form>
  );
}
