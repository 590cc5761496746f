"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ApiClient, ListChanges, NewList, TaskList } from "@/lib/client/api";
import { describeFailure } from "./messages";

export const LISTS_KEY = ["lists"] as const;

/** The position that puts a list between two others (or before the first, after the last). */
export function positionBetween(before: TaskList | undefined, after: TaskList | undefined): number {
  if (before && after) return (before.position + after.position) / 2;
  if (before) return before.position + 1;
  if (after) return after.position - 1;
  return 0;
}

/**
 * The sidebar's lists and their changes. A failure is thrown with a message fit to show in the
 * dialog that asked for it (the name taken, too many lists); the tasks views are reloaded after a
 * delete, whose tasks moved to the Inbox or went with it. Fetched once the first rows are on
 * screen (`enabled`): the first screen costs its two calls, the page and the counts.
 */
export function useLists(api: ApiClient, enabled: boolean) {
  const queryClient = useQueryClient();
  const lists = useQuery({ queryKey: LISTS_KEY, queryFn: () => api.listLists(), enabled });

  async function run<T>(send: () => Promise<T>, reloadTasks = false): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new Error(describeFailure(error), { cause: error });
    } finally {
      void queryClient.invalidateQueries({ queryKey: LISTS_KEY });
      if (reloadTasks) {
        void queryClient.invalidateQueries({ queryKey: ["tasks"] });
        void queryClient.invalidateQueries({ queryKey: ["counts"] });
      }
    }
  }

  const data = lists.data ?? [];
  return {
    lists: data,
    failed: lists.isError,
    create: (list: NewList) => run(() => api.createList(list)),
    update: (id: number, changes: ListChanges) => run(() => api.updateList(id, changes)),
    remove: (id: number, tasks: "inbox" | "delete") => run(() => api.deleteList(id, tasks), true),
    /** One step up or down the sidebar: a position between its new neighbours, no renumbering. */
    move(list: TaskList, by: -1 | 1) {
      const index = data.findIndex((l) => l.id === list.id);
      const target = index + by;
      if (index < 0 || target < 0 || target >= data.length) return Promise.resolve(list);
      const [before, after] = by < 0 ? [data[target - 1], data[target]] : [data[target], data[target + 1]];
      return run(() => api.updateList(list.id, { position: positionBetween(before, after) }));
    },
  };
}

export type ListsModel = ReturnType<typeof useLists>;
