import { onlineManager, QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError, NetworkError, type ApiClient, type NewTask, type Task, type TaskChanges } from "@/lib/client/api";
import { createWrite, outcomeOf, queuedWrites, queueWrite, registerTaskWrites, replaceTemporary, temporaryTask, TemporaryIds, type KeyValueStore } from "@/lib/client/offline";
import { exampleTask } from "../helpers/task";

function memoryStore(): KeyValueStore {
  const values = new Map<string, unknown>();
  return {
    get: <T>(key: string) => Promise.resolve(values.get(key) as T | undefined),
    set: (key, value) => Promise.resolve(void values.set(key, value)),
    del: (key) => Promise.resolve(void values.delete(key)),
  };
}

/** An API that records the calls it gets, in order, and answers from `tasks`. */
function recordingApi(fail: (call: string) => Error | null = () => null) {
  const calls: string[] = [];
  let next = 100;
  const answer = <T>(call: string, value: () => T): Promise<T> => {
    calls.push(call);
    const error = fail(call);
    return error ? Promise.reject(error) : Promise.resolve(value());
  };
  const api = {
    createTask: (task: NewTask, key?: string) => answer(`create ${task.title} ${key}`, () => exampleTask({ id: next++, title: task.title })),
    updateTask: (id: number, changes: TaskChanges) => answer(`update ${id} ${JSON.stringify(changes)}`, () => exampleTask({ id, ...changes })),
    moveTask: (id: number, after: number | null) => answer(`move ${id} after ${after}`, () => exampleTask({ id })),
    deleteTask: (id: number) => answer(`delete ${id}`, () => undefined),
  } as unknown as ApiClient;
  return { api, calls };
}

function setUp(api: ApiClient) {
  const queryClient = new QueryClient();
  // Mounted, as the page's provider does: it resumes paused writes when the network is back.
  queryClient.mount();
  const dropped: string[] = [];
  const created: [number, Task][] = [];
  registerTaskWrites(queryClient, api, new TemporaryIds("ids", memoryStore()), {
    onDropped: (message) => dropped.push(message),
    onSettled: () => undefined,
    onCreated: (tempId, task) => created.push([tempId, task]),
    onSaved: () => undefined,
  });
  return { queryClient, dropped, created };
}

afterEach(() => onlineManager.setOnline(true));

describe("the offline queue", () => {
  it("keeps writes made offline and sends them in order once online, an edit of a new task after its create", async () => {
    const { api, calls } = recordingApi();
    const { queryClient, created } = setUp(api);
    onlineManager.setOnline(false);
    const create = createWrite({ title: "Milk" });
    const results = [
      queueWrite(queryClient, create),
      queueWrite(queryClient, { kind: "update", id: create.tempId, title: "Milk", changes: { completed: true } }),
      queueWrite(queryClient, { kind: "move", id: 7, title: "Eggs", after: create.tempId }),
      queueWrite(queryClient, { kind: "delete", id: 8, title: "Bread" }),
    ];
    // Offline, each is queued at once (the page goes on) and nothing is sent.
    expect(await Promise.all(results)).toEqual(Array(4).fill({ queued: true, task: null }));
    expect(calls).toEqual([]);
    expect(queuedWrites(queryClient).map((w) => w.kind)).toEqual(["create", "update", "move", "delete"]);

    onlineManager.setOnline(true);
    await expect.poll(() => queuedWrites(queryClient).length).toBe(0);
    expect(calls).toEqual([`create Milk ${create.key}`, 'update 100 {"completed":true}', "move 7 after 100", "delete 8"]);
    expect(created.map(([tempId, task]) => [tempId, task.id])).toEqual([[create.tempId, 100]]);
  });

  it("drops an edit whose task is gone with a notice, and treats a second delete as done", async () => {
    const { api, calls } = recordingApi((call) => (call.startsWith("update") || call.startsWith("delete") ? new ApiError(404, "Task not found") : null));
    const { queryClient, dropped } = setUp(api);
    await expect(queueWrite(queryClient, { kind: "update", id: 5, title: "Gone", changes: { title: "x" } })).rejects.toThrow("Task not found");
    await expect(queueWrite(queryClient, { kind: "delete", id: 5, title: "Gone" })).resolves.toEqual({ queued: false, task: null });
    expect(calls).toEqual(['update 5 {"title":"x"}', "delete 5"]);
    expect(dropped).toEqual(["Your change to “Gone” was not saved: the task was deleted elsewhere."]);
  });

  it("keeps a queued create after a failure without an answer, and sends it again with the same Idempotency-Key", async () => {
    let failures = 1;
    const { api, calls } = recordingApi((call) => (call.startsWith("create") && failures-- > 0 ? new NetworkError() : null));
    const { queryClient, created } = setUp(api);
    onlineManager.setOnline(false);
    const create = createWrite({ title: "Once" });
    await queueWrite(queryClient, create);
    onlineManager.setOnline(true);
    await expect.poll(() => created.length).toBe(1);
    expect(calls).toEqual([`create Once ${create.key}`, `create Once ${create.key}`]);
  });

  it("fails a create the form waits for at once, so that the form can say why and keep the text", async () => {
    const { api, calls } = recordingApi(() => new NetworkError());
    const { queryClient, dropped } = setUp(api);
    await expect(queueWrite(queryClient, createWrite({ title: "Now" }))).rejects.toThrow(NetworkError);
    expect(calls).toHaveLength(1);
    expect(dropped).toEqual([]);
  });

  it("keeps network failures, 429 and 5xx queued; drops 404 and 410 as gone, other refusals for good", () => {
    expect(outcomeOf(new NetworkError())).toBe("retry");
    expect(outcomeOf(new ApiError(429, "busy"))).toBe("retry");
    expect(outcomeOf(new ApiError(503, "down"))).toBe("retry");
    expect(outcomeOf(new ApiError(404, "gone"))).toBe("gone");
    expect(outcomeOf(new ApiError(410, "gone"))).toBe("gone");
    expect(outcomeOf(new ApiError(409, "taken"))).toBe("refused");
    expect(outcomeOf(new ApiError(422, "bad"))).toBe("refused");
    expect(outcomeOf(new ApiError(403, "no"))).toBe("refused");
  });

  it("replaces a temporary row with the server's, once, even when a refetch brought it already", () => {
    const write = createWrite({ title: "New" });
    const row = temporaryTask(write, "2026-12-06T00:00:00Z");
    const saved = exampleTask({ id: 42, title: "New" });
    const pages = { pages: [[row, exampleTask({ id: 1 })]], pageParams: [0] };
    expect(replaceTemporary(pages, write.tempId, saved)?.pages[0].map((t) => t.id)).toEqual([42, 1]);
    const refetched = { pages: [[row, saved]], pageParams: [0] };
    expect(replaceTemporary(refetched, write.tempId, saved)?.pages[0].map((t) => t.id)).toEqual([42]);
  });
});
