/**
 * The change stream (GET /events): what another tab or device changed, as it happens. Read with
 * fetch streaming, not EventSource, so the token goes in the Authorization header, never in a
 * URL. Each connection lasts at most its token's life; the next one starts with a fresh token
 * and the last event's id (Last-Event-ID), so nothing in between is missed. When the server no
 * longer has the changes after that id it sends `reset`, and everything is fetched again.
 */
import { EventStreamContentType, fetchEventSource } from "@microsoft/fetch-event-source";
import { AuthRequiredError, type ApiClient, type Task, type TaskList } from "./api";
import { mapTasks, type Pages } from "./task-list";

export type Change =
  | { type: "task.created" | "task.updated"; id: number; task: Task | null }
  | { type: "task.deleted"; id: number }
  | { type: "list.created" | "list.updated"; id: number; list: TaskList | null }
  | { type: "list.deleted"; id: number };

const TYPES = new Set(["task.created", "task.updated", "task.deleted", "list.created", "list.updated", "list.deleted"]);

/** One event's data, checked; null for anything this page does not know (a newer server's types). */
export function parseChange(data: string): Change | null {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return null;
  }
  const { type, id } = (body ?? {}) as { type?: unknown; id?: unknown };
  if (typeof type !== "string" || !TYPES.has(type) || typeof id !== "number") return null;
  const fields = body as Record<string, unknown>;
  // The new row, under its own name ("task", "list") or as "row".
  const row = (type.startsWith("task.") ? fields.task : fields.list) ?? fields.row ?? null;
  if (type === "task.deleted" || type === "list.deleted") return { type, id };
  if (type.startsWith("task.")) return { type: type as "task.created" | "task.updated", id, task: (row as Task | null) ?? null };
  return { type: type as "list.created" | "list.updated", id, list: (row as TaskList | null) ?? null };
}

/**
 * A change applied to a view's loaded pages where that can be done exactly: an edited row takes
 * its new values in place, a deleted one leaves. Where it lands after an edit (another sort, a
 * filter it no longer matches) and where a new task goes are for the refetch that follows.
 */
export function applyToPages(data: Pages | undefined, change: Change): Pages | undefined {
  if (change.type === "task.deleted") return mapTasks(data, (t) => (t.id === change.id ? null : t));
  if (change.type === "task.updated" && change.task) {
    const row = change.task;
    return mapTasks(data, (t) => (t.id === row.id ? row : t));
  }
  return data;
}

/** The sidebar's lists with a change applied (the order is the server's, by position). */
export function applyToLists(lists: TaskList[] | undefined, change: Change): TaskList[] | undefined {
  if (!lists) return lists;
  if (change.type === "list.deleted") return lists.filter((l) => l.id !== change.id);
  if ((change.type === "list.updated" || change.type === "list.created") && change.list) {
    const row = change.list;
    const rest = lists.filter((l) => l.id !== row.id);
    return [...rest, row].sort((a, b) => a.position - b.position || a.id - b.id);
  }
  return lists;
}

/**
 * The queries a change makes worth fetching again, by key prefix (only those on screen are
 * fetched): where a row now goes, and the counts. A deleted row has left in place, but its view
 * is fetched again too: a fetch under way since before the delete would answer with the row, and
 * the new fetch replaces it (it also brings up the row the next page held). A list's change
 * carries its row, open count included, and every task it moved or deleted comes as its own
 * event: the sidebar needs nothing more. A subtask's change refetches its parent's subtasks (the
 * parent's own row comes as an event).
 */
export function affectedQueries(change: Change): (string | number)[][] {
  if (change.type === "task.deleted") return [["counts"], ["tasks"], ["subtasks"]];
  if (change.type !== "task.created" && change.type !== "task.updated") return [];
  const parent = change.task?.parent_id;
  return [["counts"], ["tasks"], ...(parent ? [["subtasks", parent]] : [])];
}

/** Two copies of a task say the same (their timestamps aside, which two answers may spell differently). */
function sameTask(a: Task, b: Task): boolean {
  const fields = (task: Task) => JSON.stringify(Object.entries(task).filter(([name]) => !name.endsWith("_at")).sort(([x], [y]) => x.localeCompare(y)));
  return fields(a) === fields(b);
}

/**
 * Whether an edited task's new row is news to these views: false when every loaded copy of it
 * already says the same (the stream's echo of this tab's own write, whose answer is on screen).
 */
export function isNews(views: readonly (Pages | undefined)[], task: Task): boolean {
  const copies = views.flatMap((data) => data?.pages.flat().filter((t) => t.id === task.id) ?? []);
  return copies.length === 0 || copies.some((copy) => !sameTask(copy, task));
}

/** Waits before reconnecting after `failures` failed tries in a row: 1, 2, 4 … 30 s, with jitter. */
export function reconnectDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export interface ChangeStreamOptions {
  api: ApiClient;
  /** The backend's base URL. */
  baseUrl: string;
  onChange: (change: Change) => void;
  /** The server has lost the changes since our cursor: fetch everything again. */
  onReset: () => void;
  /** Reconnected after a gap (a failure, going offline): changes may have been missed if it came back without replay. */
  onConnected?: (resumed: boolean) => void;
}

/** This connection failed; the next one waits its turn. */
class Failed extends Error {}

/** A stream the server ended sooner than this counts as a failure (no tight reconnect loop). */
const SHORTEST_HEALTHY_MS = 2_000;

/**
 * Opens the stream and keeps it open (one per tab): reconnects with a fresh token and the last
 * id, backs off on failures, and comes back at once when the browser says the network is back.
 * Returns the function that closes it for good (sign-out, page gone).
 */
export function openChangeStream(options: ChangeStreamOptions): () => void {
  const closed = new AbortController();
  const url = `${options.baseUrl.replace(/\/+$/, "")}/events`;
  let cursor: string | null = null;
  let failures = 0;
  let wake: (() => void) | null = null;
  const onOnline = () => wake?.();
  window.addEventListener("online", onOnline);

  async function connectOnce(): Promise<void> {
    const { token, expiresAt } = await options.api.authorization();
    const connection = new AbortController();
    const abort = () => connection.abort();
    closed.signal.addEventListener("abort", abort);
    // The server ends the stream at the token's exp; should it not, the client does (a new token then).
    const renew = setTimeout(abort, Math.max(SHORTEST_HEALTHY_MS, expiresAt - Date.now()));
    try {
      await fetchEventSource(url, {
        headers: { Authorization: `Bearer ${token}`, ...(cursor ? { "Last-Event-ID": cursor } : {}) },
        signal: connection.signal,
        // A hidden tab stays live: it is the one someone comes back to.
        openWhenHidden: true,
        async onopen(response) {
          if (response.status === 401) {
            options.api.rejectToken(token);
            throw new Failed("token refused");
          }
          if (!response.ok || !response.headers.get("content-type")?.startsWith(EventStreamContentType)) {
            throw new Failed(`stream answered ${response.status}`);
          }
          options.onConnected?.(cursor !== null);
          failures = 0;
        },
        onmessage(message) {
          if (message.id) cursor = message.id;
          if (message.event === "reset") options.onReset();
          else if (message.data) {
            const change = parseChange(message.data);
            if (change) options.onChange(change);
          }
        },
        // The library retries by itself unless told not to: this loop does, with a fresh token.
        onerror(error: unknown) {
          throw error instanceof Failed ? error : new Failed("stream broke", { cause: error });
        },
      });
    } finally {
      clearTimeout(renew);
      closed.signal.removeEventListener("abort", abort);
    }
  }

  void (async () => {
    while (!closed.signal.aborted) {
      const started = Date.now();
      try {
        // Resolves when the server ends the stream (the token's exp) or the renewal aborts it.
        await connectOnce();
        if (Date.now() - started < SHORTEST_HEALTHY_MS) failures += 1;
      } catch (error) {
        // The session is gone: the page sends the person to log in.
        if (error instanceof AuthRequiredError) return;
        failures += 1;
      }
      if (closed.signal.aborted || failures === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, reconnectDelay(failures));
        function done() {
          clearTimeout(timer);
          wake = null;
          closed.signal.removeEventListener("abort", done);
          resolve();
        }
        wake = done;
        closed.signal.addEventListener("abort", done);
      });
    }
  })();

  return () => {
    closed.abort();
    window.removeEventListener("online", onOnline);
  };
}
