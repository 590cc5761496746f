import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UndoQueue, type Deferred } from "@/lib/client/undo";

function harness() {
  const changes: (string | null)[] = [];
  const errors: string[] = [];
  const queue = new UndoQueue<string>({
    delayMs: 5_000,
    onChange: (info) => changes.push(info),
    onError: (_error, info) => errors.push(info),
  });
  const sent: string[] = [];
  const deferred = (info: string, fail = false): Deferred<string> => ({
    info,
    commit: async () => {
      sent.push(info);
      if (fail) throw new Error("offline");
    },
    commitWhileLeaving: () => sent.push(`${info} (keepalive)`),
  });
  return { queue, changes, errors, sent, deferred };
}

describe("undoable deletions", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("reach the server only when the undo window has passed", async () => {
    const h = harness();
    void h.queue.schedule(h.deferred("delete 1"));
    expect(h.queue.pending).toBe("delete 1");
    await vi.advanceTimersByTimeAsync(4_999);
    expect(h.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sent).toEqual(["delete 1"]);
    expect(h.changes).toEqual(["delete 1", null]);
  });

  it("never reach the server when undone", async () => {
    const h = harness();
    void h.queue.schedule(h.deferred("clear"));
    expect(h.queue.undo()).toBe("clear");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.sent).toEqual([]);
    expect(h.changes).toEqual(["clear", null]);
    h.queue.leave();
    expect(h.sent).toEqual([]);
  });

  it("send the waiting one first when another comes, so one waits at a time", async () => {
    const h = harness();
    void h.queue.schedule(h.deferred("delete 1"));
    await h.queue.schedule(h.deferred("delete 2"));
    expect(h.sent).toEqual(["delete 1"]);
    expect(h.queue.pending).toBe("delete 2");
    // The toast moved on to the second: the first's answer does not clear it.
    expect(h.changes).toEqual(["delete 1", "delete 2"]);
  });

  it("start with keepalive when the page goes away, and only once", async () => {
    const h = harness();
    void h.queue.schedule(h.deferred("clear"));
    h.queue.leave();
    await vi.advanceTimersByTimeAsync(10_000);
    await h.queue.commitNow();
    expect(h.sent).toEqual(["clear (keepalive)"]);
  });

  it("report a failed call, and stop hiding the rows", async () => {
    const h = harness();
    void h.queue.schedule(h.deferred("delete 1", true));
    await h.queue.commitNow();
    expect(h.errors).toEqual(["delete 1"]);
    expect(h.queue.pending).toBeNull();
    expect(h.changes.at(-1)).toBeNull();
  });
});
