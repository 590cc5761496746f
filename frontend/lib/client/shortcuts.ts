/**
 * The task list's keyboard: which key does what, apart from the page (tested alone). The page
 * decides where a key applies (never in a text field; Enter and Space only on a task).
 */
import type { Priority } from "../shared/priorities";
import type { View } from "./url-state";

export type Shortcut =
  | { kind: "move"; by: 1 | -1 }
  /** Alt+↑/↓: the task moves in the manual order. */
  | { kind: "reorder"; by: 1 | -1 }
  | { kind: "toggle" }
  | { kind: "edit" }
  | { kind: "delete" }
  | { kind: "dueToday" }
  | { kind: "priority"; priority: Priority }
  | { kind: "undo" }
  /** `g`: the next key names a view. */
  | { kind: "goTo" }
  | { kind: "view"; view: View }
  | { kind: "help" }
  | { kind: "newTask" }
  | { kind: "search" };

export interface KeyPress {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/** What a key pressed alone does (no modifier, not after `g`). */
const KEYS: Readonly<Record<string, Shortcut>> = {
  j: { kind: "move", by: 1 },
  ArrowDown: { kind: "move", by: 1 },
  k: { kind: "move", by: -1 },
  ArrowUp: { kind: "move", by: -1 },
  x: { kind: "toggle" },
  " ": { kind: "toggle" },
  e: { kind: "edit" },
  Enter: { kind: "edit" },
  Delete: { kind: "delete" },
  Backspace: { kind: "delete" },
  t: { kind: "dueToday" },
  "1": { kind: "priority", priority: "high" },
  "2": { kind: "priority", priority: "medium" },
  "3": { kind: "priority", priority: "low" },
  "4": { kind: "priority", priority: "none" },
  z: { kind: "undo" },
  g: { kind: "goTo" },
  "?": { kind: "help" },
  n: { kind: "newTask" },
  "/": { kind: "search" },
};
const VIEW_KEYS: Record<string, View> = { i: "inbox", t: "today", u: "upcoming" };

/** The shortcut a key press means; `afterG`: the previous key was `g`. */
export function shortcutFor({ key, altKey, ctrlKey, metaKey }: KeyPress, afterG = false): Shortcut | null {
  if (metaKey) return null;
  if (ctrlKey) return !altKey && key.toLowerCase() === "z" ? { kind: "undo" } : null;
  if (altKey) {
    if (key === "ArrowUp") return { kind: "reorder", by: -1 };
    if (key === "ArrowDown") return { kind: "reorder", by: 1 };
    return null;
  }
  if (afterG) {
    const view = VIEW_KEYS[key];
    return view ? { kind: "view", view } : null;
  }
  // Own keys only: a key named like an Object method ("toString") is no shortcut.
  return Object.hasOwn(KEYS, key) ? KEYS[key] : null;
}
