"use client";

import { useCallback, useEffect, useLayoutEffect, useMemo, useSyncExternalStore } from "react";
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
 * The list's history entries are the page's own, not the Next.js router's: they are written
 * with the browser's History methods (Next.js replaces those on `window.history` with its own,
 * which stamp its router state on each entry) and carry no state. Back and forward between
 * entries with router state make the router fetch the page from the server again, and a filter
 * changed while that fetch was under way made it give up and load the whole page afresh (the
 * filter panel closed, the list and its change stream started over). The router leaves entries
 * without state alone, so going back and forth in the list reaches only the list.
 */
function writeEntry(how: "push" | "replace", url: string): void {
  const write = how === "push" ? History.prototype.pushState : History.prototype.replaceState;
  write.call(window.history, null, "", url);
}

/**
 * Lists on screen. Counted by a layout effect, which ends in the same commit as the one that
 * shows another page: the subscriptions above end a moment later, after a back press may have come.
 */
let shown = 0;

/**
 * An entry of this list reached while another page of the app is shown (after a client-side
 * navigation to the account page, say): the router ignores it, so the browser loads it.
 */
function loadWhenNotShown(): void {
  if (shown === 0 && window.history.state === null && window.location.pathname === "/tasks") window.location.reload();
}
if (typeof window !== "undefined") window.addEventListener("popstate", loadWhenNotShown);

/**
 * The list's state, read from and written to the URL's search parameters with the History
 * API: no server round trip per filter, and the back button restores them. The address bar
 * is the one source of truth (read directly, not through the router's copy of it).
 * `serverSearch` is what the server rendered with, so hydration sees the same state.
 */
export function useListState(serverSearch: string): [ListState, SetListState] {
  const search = useSyncExternalStore(subscribe, currentSearch, () => serverSearch);
  const state = useMemo(() => parseListState(new URLSearchParams(search)), [search]);

  useLayoutEffect(() => {
    shown += 1;
    return () => {
      shown -= 1;
    };
  }, []);
  // The entry the page was opened on becomes the list's too (the router stamped it as it hydrated).
  useEffect(() => writeEntry("replace", `${window.location.pathname}${window.location.search}${window.location.hash}`), []);

  const setState = useCallback<SetListState>((change, how = "push") => {
    const current = parseListState(new URLSearchParams(window.location.search));
    const url = `${window.location.pathname}${listSearch({ ...current, ...change })}`;
    if (url === `${window.location.pathname}${window.location.search}`) return;
    writeEntry(how, url);
    for (const listener of listeners) listener();
  }, []);
  return [state, setState];
}
