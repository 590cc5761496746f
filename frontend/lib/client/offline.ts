/**
 * The offline queue: every change to a task (create, edit, complete, move, delete) is a TanStack
 * Query mutation in one scope, so they reach the server one at a time, in the order they were
 * made. Without a network they wait (paused), are saved with the query cache in IndexedDB, and
 * after a reload go on where they stopped. Each carries what it needs to be sent again safely:
 * a create its Idempotency-Key, made when it was queued; an edit of a task created offline the
 * temporary id its create will map to the server's.
 */
import { MutationObserver, onlineManager, type Mutation, type QueryClient } from "@tanstack/react-query";
import type { PersistedClient, Persister } from "@tanstack/react-query-persist-client";
import { createStore, del, get, set, type UseStore } from "idb-keyval";
import { ApiError, NetworkError, newIdempotencyKey, type ApiClient, type NewTask, type Task, type TaskChanges } from "./api";
import { mapTasks, type Pages } from "./task-list";

export type TaskWrite =
  /** `tempId`: the row's id until the server gives it one (negative, never a server id). */
  | { kind: "create"; tempId: number; key: string; task: NewTask }
  | { kind: "update"; id: number; title: string; changes: TaskChanges }
  | { kind: "move"; id: number; title: string; after: number | null }
  | { kind: "delete"; id: number; title: string };

type Kind = TaskWrite["kind"];
type WriteOf<K extends Kind> = Extract<TaskWrite, { kind: K }>;

/** One queue for all task writes: a write runs only once every earlier one has finished. */
const SCOPE = { id: "task-writes" };
const writeKey = (kind: Kind) => ["task-write", kind] as const;
/** How long a saved cache and queue are kept (the queries' gcTime must be as long). */
export const PERSIST_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_RETRY_DELAY_MS = 30_000;
const SAVE_DELAY_MS = 100;

let database: UseStore | null = null;
/** The app's own IndexedDB store (opened on first use: the module is also loaded on the server). */
function offlineStore(): UseStore {
  database ??= createStore("todo-offline", "cache");
  return database;
}

/** Where the device keeps what it must not forget on a reload (IndexedDB; a Map in tests). */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

const deviceStore: KeyValueStore = {
  get: (key) => get(key, offlineStore()),
  set: (key, value) => set(key, value, offlineStore()),
  del: (key) => del(key, offlineStore()),
};

/** What becomes of a write the server did not take. */
export type Outcome =
  /** Never answered, busy or failing (network, 429, 5xx): it stays queued and is sent again. */
  | "retry"
  /** The task is gone (deleted elsewhere): the write is dropped, with a notice. */
  | "gone"
  /** Refused for good (409, 422, another 4xx): dropped, with the server's reason. */
  | "refused";

export function outcomeOf(error: unknown): Outcome {
  if (error instanceof NetworkError) return "retry";
  if (error instanceof ApiError) {
    if (error.status === 429 || error.status >= 500) return "retry";
    if (error.status === 404 || error.status === 410) return "gone";
  }
  if (error instanceof TemporaryIdLost) return "gone";
  return "refused";
}

/** Every queued write waits for the ones before it; a wait of 1, 2, 4 … 30 s between tries. */
export function retryDelay(failures: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** failures);
}

/** A temporary id no server id can be: negative, and unique on this device. */
export function newTemporaryId(): number {
  return -(Date.now() * 1000 + Math.floor(Math.random() * 1000));
}

/** An edit of a task created offline whose create never reached the server. */
class TemporaryIdLost extends Error {
  override name = "TemporaryIdLost";
}

/**
 * Temporary ids and the server ids their creates got, kept in IndexedDB: an edit queued behind a
 * create may run after a reload, when the create's answer is long gone.
 */
export class TemporaryIds {
  private readonly known = new Map<number, number>();
  constructor(
    private readonly storageKey: string,
    private readonly storage: KeyValueStore = deviceStore,
  ) {}

  async resolve(id: number): Promise<number> {
    if (id >= 0) return id;
    const found = this.known.get(id) ?? (await this.storage.get<Record<string, number>>(this.storageKey))?.[String(id)];
    if (found === undefined) throw new TemporaryIdLost("That task was never saved.");
    return found;
  }

  async remember(tempId: number, id: number): Promise<void> {
    this.known.set(tempId, id);
    const saved = (await this.storage.get<Record<string, number>>(this.storageKey)) ?? {};
    await this.storage.set(this.storageKey, { ...saved, [tempId]: id });
  }

  forget(): Promise<void> {
    this.known.clear();
    return this.storage.del(this.storageKey);
  }
}

export interface WriteHandlers {
  /** A write was dropped (its task gone, or refused): what to tell the person. */
  onDropped: (message: string) => void;
  /** Replayed writes reached the server (the queue is empty now): what they touched is asked again. */
  onSettled: () => void;
  /** A create got its server id: the temporary row becomes the real one. */
  onCreated: (tempId: number, task: Task) => void;
  /** An edit or move got the server's row. */
  onSaved: (task: Task) => void;
}

/** Creates the form is waiting for: their failures are shown by the form, not as a notice. */
const awaitedCreates = new Set<string>();
/**
 * Writes a caller is waiting for: it refetches what they changed. One replayed from the queue
 * (after a reload, or once the network is back) has no caller: the queue refetches once it is empty.
 */
const awaited = new WeakSet<TaskWrite>();
/** Ids this tab created or deleted a moment ago: the stream's echo of them is no news. */
const ownChanges = new Map<number, number>();
const ECHO_WINDOW_MS = 30_000;

function noteOwnChange(id: number): void {
  const now = Date.now();
  for (const [known, at] of ownChanges) if (now - at > ECHO_WINDOW_MS) ownChanges.delete(known);
  ownChanges.set(id, now);
}

/** Whether a created or deleted task is this tab's own doing (the stream sends it back). */
export function isOwnChange(id: number): boolean {
  return ownChanges.has(id);
}

function droppedMessage(write: TaskWrite, error: unknown): string {
  const name = write.kind === "create" ? write.task.title : write.title;
  if (outcomeOf(error) === "gone") {
    return write.kind === "create"
      ? `“${name}” was not added: its earlier copy was deleted elsewhere.`
      : `Your change to “${name}” was not saved: the task was deleted elsewhere.`;
  }
  const reason = error instanceof Error ? error.message : "something went wrong.";
  return `Your change to “${name}” was not saved: ${reason}`;
}

/**
 * Registers what each kind of write does, by its mutation key: a write restored from IndexedDB
 * after a reload has no function of its own, only its key and variables.
 */
export function registerTaskWrites(queryClient: QueryClient, api: ApiClient, ids: TemporaryIds, handlers: WriteHandlers): void {
  const send: { [K in Kind]: (write: WriteOf<K>) => Promise<Task | null> } = {
    create: (write) => api.createTask(write.task, write.key),
    update: async (write) => api.updateTask(await ids.resolve(write.id), write.changes),
    move: async (write) => api.moveTask(await ids.resolve(write.id), write.after === null ? null : await ids.resolve(write.after)),
    delete: async (write) => {
      const id = await ids.resolve(write.id);
      noteOwnChange(id);
      try {
        await api.deleteTask(id);
      } catch (error) {
        // Sent twice (two tabs replaying one queue) or deleted elsewhere: gone either way.
        if (outcomeOf(error) !== "gone") throw error;
      }
      return null;
    },
  };
  for (const kind of Object.keys(send) as Kind[]) {
    queryClient.setMutationDefaults(writeKey(kind), {
      scope: SCOPE,
      mutationFn: (write: TaskWrite) => (send[write.kind] as (write: TaskWrite) => Promise<Task | null>)(write),
      retry: (_failures, error) => outcomeOf(error) === "retry",
      retryDelay,
      onSuccess: async (saved: Task | null, write: TaskWrite) => {
        if (write.kind === "create" && saved) {
          noteOwnChange(saved.id);
          await ids.remember(write.tempId, saved.id);
          handlers.onCreated(write.tempId, saved);
        } else if (saved && !hasQueuedWrite(queryClient, saved.id, write)) {
          // A later write of the same task is on its way: its row on screen stays as it is.
          handlers.onSaved(saved);
        }
      },
      onError: (error: Error, write: TaskWrite) => {
        if (write.kind === "create" && awaitedCreates.has(write.key)) return;
        handlers.onDropped(droppedMessage(write, error));
      },
      onSettled: (_saved: Task | null | undefined, _error: Error | null, write: TaskWrite) => {
        if (!awaited.has(write) && queryClient.isMutating({ mutationKey: ["task-write"] }) <= 1) handlers.onSettled();
      },
    });
  }
}

function hasQueuedWrite(queryClient: QueryClient, id: number, except: TaskWrite): boolean {
  return queryClient
    .getMutationCache()
    .findAll({ mutationKey: ["task-write"], status: "pending" })
    .some((m) => m.state.variables !== except && "id" in (m.state.variables as TaskWrite) && (m.state.variables as { id: number }).id === id);
}

/** Whether a write of this task (by its id on screen) is queued or on its way. */
export function isBeingWritten(queryClient: QueryClient, id: number): boolean {
  return queryClient
    .getMutationCache()
    .findAll({ mutationKey: ["task-write"], status: "pending" })
    .some((m) => {
      const write = m.state.variables as TaskWrite | undefined;
      return write !== undefined && (write.kind === "create" ? write.tempId === id : write.id === id);
    });
}

/**
 * Queues a write. The promise settles with the server's answer; a write that has to wait for
 * the network resolves at once with `queued: true` (it is saved, and goes later).
 */
export function queueWrite(queryClient: QueryClient, write: TaskWrite): Promise<{ queued: boolean; task: Task | null }> {
  const observer = new MutationObserver<Task | null, Error, TaskWrite>(queryClient, {
    mutationKey: writeKey(write.kind),
    // A create the form waits for fails at once (the API client has retried it already): the
    // form keeps what was typed and says why. Once queued (offline), it waits like any write.
    retry: (_failures, error) => outcomeOf(error) === "retry" && !(write.kind === "create" && awaitedCreates.has(write.key)),
  });
  if (write.kind === "create") awaitedCreates.add(write.key);
  awaited.add(write);
  return new Promise((resolve, reject) => {
    const stop = observer.subscribe((result) => {
      if (result.isPaused) finish(() => resolve({ queued: true, task: null }));
    });
    function finish(settle: () => void) {
      stop();
      if (write.kind === "create") awaitedCreates.delete(write.key);
      awaited.delete(write);
      settle();
    }
    observer.mutate(write).then(
      (task) => finish(() => resolve({ queued: false, task })),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/** A create, with its key and temporary id made now: they are what makes its replays safe. */
export function createWrite(task: NewTask): WriteOf<"create"> {
  return { kind: "create", tempId: newTemporaryId(), key: newIdempotencyKey(), task };
}

/** The writes waiting (for the network, or for the one before them), in order. */
export function queuedWrites(queryClient: QueryClient): TaskWrite[] {
  return queryClient
    .getMutationCache()
    .findAll({ mutationKey: ["task-write"], status: "pending" })
    .map((m) => m.state.variables as TaskWrite);
}

/** The temporary row of a task created offline, until the server's comes. */
export function temporaryTask(write: WriteOf<"create">, now: string): Task {
  const { task } = write;
  return {
    id: write.tempId,
    title: task.title,
    description: task.description ?? null,
    completed: false,
    completed_at: null,
    priority: task.priority ?? "none",
    due_date: task.due_date ?? null,
    due_time: task.due_time ?? null,
    repeat: task.repeat ?? null,
    repeat_from: task.repeat_from ?? "due",
    repeat_of: null,
    subtasks: null,
    tags: task.tags ?? [],
    list_id: task.list_id ?? null,
    parent_id: task.parent_id ?? null,
    position: Number.MAX_SAFE_INTEGER,
    created_at: now,
    updated_at: now,
  };
}

/** The pages with the temporary row replaced by the server's (or dropped, when it is there already). */
export function replaceTemporary(data: Pages | undefined, tempId: number, task: Task): Pages | undefined {
  const present = data?.pages.some((page) => page.some((t) => t.id === task.id)) ?? false;
  return mapTasks(data, (t) => (t.id === tempId ? (present ? null : task) : t));
}

/**
 * The query cache and the queue, saved in IndexedDB under the user's key. A write under way when
 * the page went away is saved as paused, so that it is sent again after a reload (a create by its
 * key, so never twice).
 */
export function idbPersister(storageKey: string): Persister & { forget(): Promise<void> } {
  // Every change of the cache asks to save it: one write per burst is enough.
  let latest: PersistedClient | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let forgotten = false;
  const save = () => {
    timer = null;
    const client = latest;
    latest = null;
    if (!client || forgotten) return;
    const mutations = client.clientState.mutations.map((m) => ({ ...m, state: { ...m.state, isPaused: true } }));
    void deviceStore.set(storageKey, { ...client, clientState: { ...client.clientState, mutations } });
  };
  const remove = () => {
    latest = null;
    return deviceStore.del(storageKey);
  };
  return {
    persistClient: (client: PersistedClient) => {
      latest = client;
      timer ??= setTimeout(save, SAVE_DELAY_MS);
    },
    restoreClient: () => deviceStore.get<PersistedClient>(storageKey),
    removeClient: remove,
    /** Signing out: the saved copy goes, and nothing this page still does saves it again. */
    forget: () => {
      forgotten = true;
      return remove();
    },
  };
}

/** Saved: every task write not yet answered, not only those already paused. */
export function shouldSaveWrite(mutation: Mutation): boolean {
  return mutation.state.status === "pending" && mutation.options.mutationKey?.[0] === "task-write";
}

/** TanStack's online state starts as "online"; a page loaded offline must know at once. */
export function followBrowserOnlineState(): void {
  onlineManager.setOnline(navigator.onLine);
}
