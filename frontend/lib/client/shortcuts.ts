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

const PRIORITY_KEYS: Record<string, Priority> = { "1": "high", "2": "medium", "3": "low", "4": "none" };
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
  if (key in PRIORITY_KEYS) return { kind: "priority", priority: PRIORITY_KEYS[key] };
  switch (key) {
    case "j":
    case "ArrowDown":
      return { kind: "move", by: 1 };
    case "k":
    case "ArrowUp":
      return { kind: "move", by: -1 };
    case "x":
    case " ":
      return { kind: "toggle" };
    case "e":
    case "Enter":
      return { kind: "edit" };
    case "Delete":
    case "Backspace":
      return { kind: "delete" };
    case "t":
      return { kind: "dueToday" };
    case "z":
      return { kind: "undo" };
    case "g":
      return { kind: "goTo" };
    case "?":
      return { kind: "help" };
    case "n":
      return { kind: "newTask" };
    case "/":
      return { kind: "search" };
    default:
      return null;
  }
}
