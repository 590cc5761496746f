"use client";

import { useCallback, useMemo, useSyncExternalStore } from "react";
import { listSearch, parseListState, type ListState } from "@/lib/client/url-state";

export type SetListState = (change: Partial<ListState>, how?: "push" | "replace") => void;

// Our own writes; the back and forward buttons arrive as popstate.
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

const currentSearch = () => window.location.search;

/**
 * The list's state, read from and written to the URL's search parameters with the History
 * API: no server round trip per filter, and the back button restores them. The address bar
 * is the one source of truth (read directly, not through the router's copy of it, which can
 * fall behind after the back button crosses a reload). `serverSearch` is what the server
 * rendered with, so hydration sees the same state.
 */
export function useListState(serverSearch: string): [ListState, SetListState] {
  const search = useSyncExternalStore(subscribe, currentSearch, () => serverSearch);
  const state = useMemo(() => parseListState(new URLSearchParams(search)), [search]);

  const setState = useCallback<SetListState>((change, how = "push") => {
    const current = parseListState(new URLSearchParams(window.location.search));
    const url = `${window.location.pathname}${listSearch({ ...current, ...change })}`;
    if (url === `${window.location.pathname}${window.location.search}`) return;
    if (how === "push") window.history.pushState(null, "", url);
    else window.history.replaceState(null, "", url);
    for (const listener of listeners) listener();
  }, []);
  return [state, setState];
}
