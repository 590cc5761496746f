"use client";

import { useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { ApiClient, TaskList } from "@/lib/client/api";
import { affectedQueries, applyToLists, applyToPages, isNews, openChangeStream, type Change } from "@/lib/client/events";
import { isBeingWritten, isOwnChange } from "@/lib/client/offline";
import type { Pages } from "@/lib/client/task-list";
import { LISTS_KEY } from "./use-lists";

/** Changes arriving together (a toggle all, a replayed queue) make one refetch. */
const BATCH_MS = 100;

/**
 * Refetches by key prefix, in batches, and never while this tab's own writes are on their way:
 * a refetch then could show a row without the change just clicked, for a moment.
 */
function batchedRefetch(queryClient: QueryClient) {
  const keys = new Map<string, (string | number)[]>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const sending = queryClient.isMutating({ mutationKey: ["task-write"], predicate: (m) => !m.state.isPaused });
    if (sending > 0) {
      timer = setTimeout(flush, BATCH_MS);
      return;
    }
    for (const key of keys.values()) void queryClient.invalidateQueries({ queryKey: key });
    keys.clear();
  };
  return {
    add(queryKeys: (string | number)[][]) {
      for (const key of queryKeys) keys.set(JSON.stringify(key), key);
      if (keys.size > 0) timer ??= setTimeout(flush, BATCH_MS);
    },
    stop() {
      if (timer) clearTimeout(timer);
    },
  };
}

/** Everything the page holds, fetched again (a reset, or a gap the server could not replay). */
const EVERYTHING = [["tasks"], ["counts"], ["subtasks"], ["tags"], [...LISTS_KEY]];

/**
 * Another tab's or device's changes, on screen as they happen: rows edited or deleted elsewhere
 * change in place at once, and the views they touch are fetched again (a new task's place, a
 * filter it left, the counts). Opened once `enabled` (after the first screen), closed on unmount.
 */
export function useLiveUpdates(api: ApiClient, baseUrl: string, enabled: boolean) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const refetch = batchedRefetch(queryClient);
    const open = () =>
      openChangeStream({
        api,
        baseUrl,
        onChange(change: Change) {
          if (change.type.startsWith("list.")) {
            queryClient.setQueryData<TaskList[]>(LISTS_KEY, (lists) => applyToLists(lists, change));
            return;
          }
          // The echo of this tab's own create, delete or edit: its answer is on screen already.
          if ((change.type === "task.created" || change.type === "task.deleted") && isOwnChange(change.id)) return;
          if (change.type === "task.updated" && change.task) {
            const views = queryClient.getQueriesData<Pages>({ queryKey: ["tasks"] }).map(([, data]) => data);
            if (!isNews(views, change.task)) return;
          }
          // A row this tab is still writing keeps what was clicked; the refetch after its write settles tells.
          if (!isBeingWritten(queryClient, change.id)) {
            queryClient.setQueriesData<Pages>({ queryKey: ["tasks"] }, (data) => applyToPages(data, change));
          }
          refetch.add(affectedQueries(change));
          // Tag suggestions are fetched again when next wanted, not now.
          void queryClient.invalidateQueries({ queryKey: ["tags"], refetchType: "none" });
        },
        onReset: () => refetch.add(EVERYTHING),
        onConnected(resumed) {
          // A stream without a cursor starts after the latest change: what changed since the page's
          // data was read (before the first stream, or between two) is fetched once.
          if (!resumed) refetch.add(EVERYTHING);
        },
      });
    let close: (() => void) | null = open();
    // An open stream keeps the page out of the back/forward cache: it is closed as the page is
    // left, and opened again (without a cursor, so what changed meanwhile is fetched) if it comes back.
    const hide = () => {
      close?.();
      close = null;
    };
    const show = (event: PageTransitionEvent) => {
      if (event.persisted && !close) close = open();
    };
    window.addEventListener("pagehide", hide);
    window.addEventListener("pageshow", show);
    return () => {
      window.removeEventListener("pagehide", hide);
      window.removeEventListener("pageshow", show);
      hide();
      refetch.stop();
    };
  }, [api, baseUrl, enabled, queryClient]);
}
