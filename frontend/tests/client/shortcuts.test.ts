import { describe, expect, it } from "vitest";
import { shortcutFor } from "@/lib/client/shortcuts";

const press = (key: string, mods: Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean }> = {}) => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  ...mods,
});

describe("the task list's keys", () => {
  it.each([
    ["j", { kind: "move", by: 1 }],
    ["ArrowDown", { kind: "move", by: 1 }],
    ["k", { kind: "move", by: -1 }],
    ["ArrowUp", { kind: "move", by: -1 }],
    ["x", { kind: "toggle" }],
    [" ", { kind: "toggle" }],
    ["e", { kind: "edit" }],
    ["Enter", { kind: "edit" }],
    ["Delete", { kind: "delete" }],
    ["Backspace", { kind: "delete" }],
    ["t", { kind: "dueToday" }],
    ["1", { kind: "priority", priority: "high" }],
    ["4", { kind: "priority", priority: "none" }],
    ["z", { kind: "undo" }],
    ["?", { kind: "help" }],
    ["g", { kind: "goTo" }],
  ])("%j is %j", (key, shortcut) => {
    expect(shortcutFor(press(key))).toEqual(shortcut);
  });

  it("a key named like an Object method is no shortcut", () => {
    expect(shortcutFor(press("toString"))).toBeNull();
  });

  it("Ctrl+Z undoes; other Ctrl and Cmd keys belong to the browser", () => {
    expect(shortcutFor(press("z", { ctrlKey: true }))).toEqual({ kind: "undo" });
    expect(shortcutFor(press("j", { ctrlKey: true }))).toBeNull();
    expect(shortcutFor(press("z", { metaKey: true }))).toBeNull();
  });

  it("Alt+↑/↓ reorders", () => {
    expect(shortcutFor(press("ArrowUp", { altKey: true }))).toEqual({ kind: "reorder", by: -1 });
    expect(shortcutFor(press("ArrowDown", { altKey: true }))).toEqual({ kind: "reorder", by: 1 });
  });

  it("g then i, t or u opens a view; anything else after g does nothing", () => {
    expect(shortcutFor(press("i"), true)).toEqual({ kind: "view", view: "inbox" });
    expect(shortcutFor(press("t"), true)).toEqual({ kind: "view", view: "today" });
    expect(shortcutFor(press("u"), true)).toEqual({ kind: "view", view: "upcoming" });
    expect(shortcutFor(press("x"), true)).toBeNull();
  });
});
