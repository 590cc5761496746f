"use client";

import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient, type InfiniteData, type QueryKey } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { onlineManager } from "@tanstack/react-query";
import { AuthRequiredError, type ApiClient, type NewTask, type Task, type TaskChanges, type TaskCounts, type TaskList } from "@/lib/client/api";
import { localDay } from "@/lib/client/due-dates";
import { createWrite, queueWrite, temporaryTask, type TaskWrite } from "@/lib/client/offline";
import { addCounts, countsDelta, mapTasks, moveTask, neighbourAfter, nextOffset, PAGE_SIZE, visibleTasks, type Counts } from "@/lib/client/task-list";
import { UndoQueue } from "@/lib/client/undo";
import { apiFilters, apiListQuery, isManualOrder, listSearch, type ListState } from "@/lib/client/url-state";
import type { Priority } from "@/lib/shared/priorities";
import { describeFailure } from "./messages";
import { LISTS_KEY } from "./use-lists";

/** How long an undo is offered. */
export const UNDO_MS = 6_000;

export type Pending =
  | { kind: "delete"; task: Task }
  /** `ids`: the completed rows on screen when it was asked for. */
  | { kind: "clear"; ids: ReadonlySet<number>; count: number };

type ListData = InfiniteData<Task[], number>;

function pendingDelta(pending: Pending | null): Counts {
  if (!pending) return { all: 0, active: 0, completed: 0 };
  if (pending.kind === "delete") return countsDelta([pending.task]);
  return { all: -pending.count, active: 0, completed: -pending.count };
}

function hiddenBy(pending: Pending | null): (task: Task) => boolean {
  if (!pending) return () => false;
  if (pending.kind === "delete") return (task) => task.id === pending.task.id;
  return (task) => pending.ids.has(task.id);
}

/** The local day, rechecked whenever the page comes back into view (a tab left open overnight). */
function useToday(): string {
  const [today, setToday] = useState(() => localDay(new Date()));
  useEffect(() => {
    const check = () => setToday(localDay(new Date()));
    document.addEventListener("visibilitychange", check);
    return () => document.removeEventListener("visibilitychange", check);
  }, []);
  return today;
}

/**
 * The task list for one view (the URL's state): the pages fetched so far, the server's counts,
 * and every change a person can make, shown at once and reconciled with the server after.
 * The first screen costs exactly two API calls: one page and the counts. Tags are fetched
 * only once something needs them (`wantTags`).
 */
export function useTaskList(api: ApiClient, state: ListState, onNotice: (message: string | null) => void) {
  const queryClient = useQueryClient();
  const today = useToday();
  const filters = useMemo(() => apiFilters(state, today), [state, today]);
  const listKey: QueryKey = useMemo(() => ["tasks", listSearch(state), state.due || state.view !== "inbox" ? today : null], [state, today]);
  const countsKey: QueryKey = useMemo(() => ["counts", filters], [filters]);
  const [tagsWanted, setTagsWanted] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);

  const list = useInfiniteQuery({
    queryKey: listKey,
    queryFn: ({ pageParam }) => api.listTasks(apiListQuery(state, today, { limit: PAGE_SIZE, offset: pageParam })),
    initialPageParam: 0,
    getNextPageParam: (lastPage, pages) => nextOffset(lastPage, pages),
    placeholderData: keepPreviousData,
  });
  const counts = useQuery({
    queryKey: countsKey,
    queryFn: () => api.countTasks(filters),
    placeholderData: keepPreviousData,
  });
  const tags = useQuery({ queryKey: ["tags"], queryFn: () => api.listTags(), enabled: tagsWanted });

  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: ["tasks"] });
    void queryClient.invalidateQueries({ queryKey: ["counts"] });
    void queryClient.invalidateQueries({ queryKey: ["tags"] });
    void queryClient.invalidateQueries({ queryKey: LISTS_KEY });
  }, [queryClient]);

  /** A list's open count follows its tasks in place (the sidebar is not fetched again for a tick). */
  const editOpenCount = useCallback(
    (task: Task, by: number) => {
      if (task.list_id === null || task.parent_id !== null) return;
      queryClient.setQueryData<TaskList[]>(LISTS_KEY, (lists) =>
        lists?.map((l) => (l.id === task.list_id ? { ...l, open_count: Math.max(0, l.open_count + by) } : l)),
      );
    },
    [queryClient],
  );

  const editList = useCallback(
    (key: QueryKey, change: (task: Task) => Task | null) =>
      queryClient.setQueryData<ListData>(key, (data) => mapTasks(data, change) as ListData | undefined),
    [queryClient],
  );
  const editCounts = useCallback(
    (key: QueryKey, change: (counts: TaskCounts) => TaskCounts) =>
      queryClient.setQueryData<TaskCounts>(key, (data) => data && change(data)),
    [queryClient],
  );

  const [undo] = useState(
    () =>
      new UndoQueue<Pending>({
        delayMs: UNDO_MS,
        onChange: setPending,
        onError: (error, info) => {
          if (error instanceof AuthRequiredError) return;
          const what = info.kind === "delete" ? `delete “${info.task.title}”` : "clear the completed tasks";
          onNotice(`Could not ${what}: ${describeFailure(error)}`);
        },
      }),
  );

  // The waiting deletion belongs to the view it was asked in; another view sends it.
  useEffect(() => {
    void undo.commitNow();
  }, [undo, listKey]);

  useEffect(() => {
    const leave = () => undo.leave();
    window.addEventListener("pagehide", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      void undo.commitNow();
    };
  }, [undo]);

  /**
   * One change to one task: shown at once, then queued (lib/client/offline.ts). The server's
   * answer replaces the row in place, and only what it can have changed is asked again (never
   * every loaded page); without a network the change waits, saved, and goes once it is back.
   * A change the server refused or whose task is gone is dropped with a notice and everything is
   * reloaded, so the screen shows the truth again.
   */
  async function writeTask(optimistic: () => void, write: TaskWrite, refetch: QueryKey[]) {
    onNotice(null);
    // Cancelling puts back what a refetch in flight started from, synchronously; the change is
    // applied right after, in the same event, so the box someone ticked is ticked when the click returns.
    const cancelled = Promise.all([queryClient.cancelQueries({ queryKey: ["tasks"] }), queryClient.cancelQueries({ queryKey: ["counts"] })]);
    optimistic();
    await cancelled;
    // A waiting deletion goes first, so that it applies to the list as it was asked.
    await undo.commitNow();
    try {
      const { queued } = await queueWrite(queryClient, write);
      if (!queued) for (const queryKey of refetch) void queryClient.invalidateQueries({ queryKey });
    } catch {
      // The queue has told the person why (see registerTaskWrites).
      refresh();
    }
  }

  /** A change to many tasks at once (toggle all): shown at once, then everything is reloaded. */
  async function writeMany(action: string, optimistic: () => void, send: () => Promise<unknown>) {
    onNotice(null);
    const cancelled = Promise.all([queryClient.cancelQueries({ queryKey: ["tasks"] }), queryClient.cancelQueries({ queryKey: ["counts"] })]);
    optimistic();
    try {
      await cancelled;
      await undo.commitNow();
      await send();
    } catch (error) {
      if (!(error instanceof AuthRequiredError)) onNotice(`Could not ${action}: ${describeFailure(error)}`);
    } finally {
      refresh();
    }
  }

  function update(task: Task, changes: TaskChanges) {
    const key = listKey;
    const completes = changes.completed !== undefined && changes.completed !== task.completed;
    return writeTask(
      () => {
        editList(key, (t) => (t.id === task.id ? { ...t, ...changes } : t));
        if (completes) {
          if (!task.repeat) editOpenCount(task, changes.completed ? -1 : 1);
          editCounts(countsKey, (c) => addCounts(c, { all: 0, ...(changes.completed ? { active: -1, completed: 1 } : { active: 1, completed: -1 }) }));
        }
      },
      { kind: "update", id: task.id, title: task.title, changes },
      // What the counts count may have changed (completion, or a field a filter reads); new tags are
      // suggested; a task that moved to another list leaves this one (and the sidebar's counts
      // change), as does a repeating one whose completion moved its date.
      [
        ["counts"],
        ...(changes.tags ? [["tags"]] : []),
        ...(changes.list_id !== undefined || (completes && task.repeat) ? [["tasks"], LISTS_KEY] : []),
      ],
    );
  }

  /** Puts a task just after another in the manual order (null: first), on screen at once. */
  function moveAfter(task: Task, afterId: number | null) {
    const key = listKey;
    return writeTask(
      () => queryClient.setQueryData<ListData>(key, (data) => moveTask(data, task.id, afterId) as ListData | undefined),
      { kind: "move", id: task.id, title: task.title, after: afterId },
      [],
    );
  }

  function toggleAll() {
    const shown = counts.data;
    if (!shown) return Promise.resolve();
    const completed = shown.active > 0;
    return writeMany(
      completed ? "mark every task complete" : "mark every task active",
      () => {
        editList(listKey, (t) => ({ ...t, completed }));
        editCounts(countsKey, (c) => (completed ? { ...c, active: 0, completed: c.all } : { ...c, active: c.all, completed: 0 }));
      },
      () => api.completeTasks(filters, completed),
    );
  }

  function remove(task: Task) {
    onNotice(null);
    const write: TaskWrite = { kind: "delete", id: task.id, title: task.title };
    const [key, cKey] = [listKey, countsKey];
    const forget = () => {
      editList(key, (t) => (t.id === task.id ? null : t));
      editCounts(cKey, (c) => addCounts(c, countsDelta([task])));
      if (!task.completed) editOpenCount(task, -1);
    };
    return undo.schedule({
      info: { kind: "delete", task },
      // Queued, not awaited: what is done after it queues behind it, and its failure is told by the queue.
      commit: () => {
        forget();
        void queueWrite(queryClient, write).then(
          ({ queued }) => queued || void queryClient.invalidateQueries({ queryKey: ["counts"] }),
          refresh,
        );
        return Promise.resolve();
      },
      // A task the server has not got yet, or no network: the queue keeps it (best effort, the page is going).
      commitWhileLeaving: () =>
        task.id < 0 || !onlineManager.isOnline()
          ? void queueWrite(queryClient, write).catch(() => undefined)
          : void api.deleteTask(task.id, { leaving: true }).catch(() => undefined),
    });
  }

  function clearCompleted(rows: Task[]) {
    onNotice(null);
    const [key, cKey, clearFilters] = [listKey, countsKey, filters];
    const ids = new Set(rows.filter((t) => t.completed).map((t) => t.id));
    return undo.schedule({
      info: { kind: "clear", ids, count: counts.data?.completed ?? ids.size },
      commit: async () => {
        editList(key, (t) => (t.completed ? null : t));
        editCounts(cKey, (c) => ({ ...c, all: c.all - c.completed, completed: 0 }));
        try {
          await api.deleteCompletedTasks(clearFilters);
        } finally {
          refresh();
        }
      },
      commitWhileLeaving: () => void api.deleteCompletedTasks(clearFilters, { leaving: true }).catch(() => undefined),
    });
  }

  /**
   * A new task: online, sent, and the list fetched again once the server has it. Without a
   * network it is queued and shown at once, first in the view, under a temporary id until the
   * server gives it its own; the form is told at once either way.
   */
  async function create(input: NewTask): Promise<void> {
    onNotice(null);
    await undo.commitNow();
    const write = createWrite(input);
    const [key, cKey] = [listKey, countsKey];
    try {
      const { queued } = await queueWrite(queryClient, write);
      if (!queued) {
        refresh();
        return;
      }
    } catch (error) {
      refresh();
      // The form shows the reason and keeps what was typed.
      throw error instanceof AuthRequiredError ? error : new Error(describeFailure(error), { cause: error });
    }
    const row = temporaryTask(write, new Date().toISOString());
    if (row.parent_id !== null) return;
    queryClient.setQueryData<ListData>(key, (data) => data && { ...data, pages: data.pages.map((page, i) => (i === 0 ? [row, ...page] : page)) });
    editCounts(cKey, (c) => addCounts(c, countsDelta([row], 1)));
    editOpenCount(row, 1);
  }

  const rows = visibleTasks(list.data?.pages ?? [], hiddenBy(pending));
  const shownCounts = counts.data && addCounts(counts.data, pendingDelta(pending));
  const failure = [list.error, counts.error].find((error) => error && !(error instanceof AuthRequiredError));
  const knownTags = tags.data?.map((t) => t.name) ?? [...new Set(rows.flatMap((t) => t.tags))].sort();

  return {
    today,
    rows,
    counts: shownCounts,
    loading: list.isPending || counts.isPending,
    /** A new view's rows are on their way; the previous view's are still shown. */
    updating: list.isPlaceholderData,
    failure: failure ? `Could not load your tasks. ${describeFailure(failure)}` : null,
    retry: () => void Promise.all([list.refetch(), counts.refetch()]),
    /** The rows again from the server (a subtask changed its parent's progress). */
    refreshRows: () => void queryClient.invalidateQueries({ queryKey: ["tasks"] }),
    hasMore: list.hasNextPage,
    loadingMore: list.isFetchingNextPage,
    loadMore: () => void list.fetchNextPage(),
    tags: tags.data,
    tagsLoading: tags.isFetching,
    tagNames: knownTags,
    wantTags: () => setTagsWanted(true),
    create,
    toggle: (task: Task) => update(task, { completed: !task.completed }),
    save: (task: Task, changes: TaskChanges) => update(task, changes),
    dueToday: (task: Task) => update(task, { due_date: today }),
    setPriority: (task: Task, priority: Priority) => update(task, { priority }),
    /** Alt+↑/↓: one step in the manual order; null when the rows are in another order (or filtered). */
    move: isManualOrder(state)
      ? (task: Task, direction: "up" | "down") => {
          const after = neighbourAfter(rows, task.id, direction === "up" ? -1 : 1);
          return after === undefined ? Promise.resolve() : moveAfter(task, after);
        }
      : null,
    /** Drag and drop within the list (manual order only). */
    moveAfter: isManualOrder(state) ? moveAfter : null,
    /** Drag onto a list in the sidebar: the task goes last there. */
    moveToList: (task: Task, listId: number | null) => (task.list_id === listId ? Promise.resolve() : update(task, { list_id: listId })),
    remove,
    toggleAll,
    clearCompleted: () => clearCompleted(rows),
    pending,
    undo: () => {
      undo.undo();
    },
    /** Sends a waiting deletion now (the toast's close button, signing out). */
    commitPending: () => undo.commitNow(),
  };
}

export type TaskListModel = ReturnType<typeof useTaskList>;
