"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { createApiClient, type ApiClient, type Task } from "@/lib/client/api";
import { authClient, authFailure } from "@/lib/client/auth-client";
import { emptyMessage } from "@/lib/client/task-list";
import { withNext } from "@/lib/shared/safe-redirect";
import { AddTaskForm } from "./add-task-form";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";
import { ListFooter } from "./list-footer";
import { ListToolbar } from "./list-toolbar";
import { TaskFilters } from "./task-filters";
import { TaskItem } from "./task-item";
import { UndoToast } from "./undo-toast";
import { useListState } from "./use-list-state";
import { useTaskList } from "./use-task-list";

interface Props {
  user: { name: string; email: string };
  apiUrl: string;
  /** The URL's search as the server rendered it: the list's filters. */
  search: string;
}

/** Keys typed into a text field are text, not shortcuts. */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
}

export function TasksApp({ user, apiUrl, search }: Props) {
  const router = useRouter();
  const api = useMemo(
    () =>
      createApiClient({
        baseUrl: apiUrl,
        // End the cookie session too: if the backend rejects fresh tokens while the session
        // is still valid, the login page would otherwise bounce straight back here, forever.
        onAuthRequired: () => void authFailure(authClient.signOut()).then(() => router.replace(withNext("/auth/login", "/tasks"))),
      }),
    [apiUrl, router],
  );
  // Failures are shown with a Retry button; the API client already retries a refused token once.
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 10_000 } } }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TasksPage user={user} api={api} search={search} />
    </QueryClientProvider>
  );
}

function TasksPage({ user, api, search }: Omit<Props, "apiUrl"> & { api: ApiClient }) {
  const router = useRouter();
  const [state, setState] = useListState(search);
  const [notice, setNotice] = useState<string | null>(null);
  const [emptyTitleTask, setEmptyTitleTask] = useState<Task | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const quickAddRef = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const list = useTaskList(api, state, setNotice);
  // The server checked the session before rendering; the hook keeps watching it (on focus, and when
  // another tab signs out), so a session that ends elsewhere sends this tab to log in too.
  const session = authClient.useSession();
  const sessionEnded = !session.isPending && session.data === null && (!session.error || session.error.status === 401);
  const shownUser = session.data?.user ?? user;

  useEffect(() => {
    // Our own sign-out navigates by itself.
    if (sessionEnded && !signingOut) router.replace(withNext("/auth/login", "/tasks"));
  }, [sessionEnded, signingOut, router]);

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTextEntry(event.target)) return;
      if (document.querySelector("dialog[open]")) return;
      const field = event.key === "n" ? quickAddRef.current : event.key === "/" ? searchRef.current : null;
      if (!field) return;
      event.preventDefault();
      field.focus();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);

  async function signOut() {
    setSigningOut(true);
    // A deletion waiting for its undo is sent while the token still works.
    await list.commitPending();
    api.clearToken();
    if (await authFailure(authClient.signOut())) {
      setSigningOut(false);
      setNotice("Could not sign out. Check your connection and try again.");
      return;
    }
    router.replace("/auth/login?notice=signed-out");
    router.refresh();
  }

  function deleteTask(task: Task) {
    setEmptyTitleTask(null);
    // The row is about to vanish: keyboard focus moves to its neighbour (or the search box).
    const row = document.querySelector(`li[data-task-id="${task.id}"]`);
    const next = (row?.nextElementSibling ?? row?.previousElementSibling)?.querySelector<HTMLInputElement>("input[type=checkbox]");
    void list.remove(task);
    (next ?? searchRef.current)?.focus();
  }

  const { counts, rows } = list;
  return (
    <div className="app">
      <header className="topbar">
        <h1>Tasks</h1>
        <div className="user">
          <span className="user-name">{shownUser.name}</span>
          <span className="user-email">{shownUser.email}</span>
          <Link href="/account">Account</Link>
          <button type="button" onClick={signOut} disabled={signingOut}>
            {signingOut ? "Signing out…" : "Sign out"}
          </button>
        </div>
      </header>

      <main className="content">
        {/* Tag suggestions are fetched once someone starts adding, not for the first screen. */}
        <div onFocusCapture={list.wantTags}>
          <AddTaskForm ref={quickAddRef} onCreate={list.create} tags={list.tagNames} />
        </div>

        {notice && (
          <div role="alert" className="alert">
            <span>{notice}</span>
            <button type="button" className="link" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        )}

        <section className="card list-card" aria-labelledby="list-heading">
          <h2 id="list-heading" className="sr-only">
            Your tasks
          </h2>
          <ListToolbar
            state={state}
            setState={setState}
            searchRef={searchRef}
            tags={list.tags}
            tagsLoading={list.tagsLoading}
            onWantTags={list.wantTags}
          />
          <TaskFilters status={state.status} counts={counts} onChange={(status) => setState({ status })} />

          {list.loading && !list.failure && (
            <p role="status" className="muted">
              Loading tasks…
            </p>
          )}
          {list.failure && (
            <div role="alert" className="alert">
              <span>{list.failure}</span>
              <button type="button" onClick={list.retry}>
                Retry
              </button>
            </div>
          )}
          {!list.loading && !list.failure && (
            <>
              {rows.length === 0 && !list.hasMore ? (
                <p className="empty">{emptyMessage(state, counts)}</p>
              ) : (
                <ul aria-label="Tasks" className="task-list" aria-busy={list.updating}>
                  {rows.map((task) => (
                    <TaskItem
                      key={task.id}
                      task={task}
                      today={list.today}
                      onToggle={() => void list.toggle(task)}
                      onSave={(changes) => void list.save(task, changes)}
                      onDelete={() => deleteTask(task)}
                      onEmptyTitle={() => setEmptyTitleTask(task)}
                      onTag={(tag) => setState({ tag: state.tag.includes(tag) ? state.tag : [...state.tag, tag] })}
                    />
                  ))}
                </ul>
              )}
              {list.hasMore && (
                <button type="button" className="load-more" onClick={list.loadMore} disabled={list.loadingMore}>
                  {list.loadingMore ? "Loading…" : "Load more"}
                </button>
              )}
              {counts && <ListFooter counts={counts} onToggleAll={() => void list.toggleAll()} onClearCompleted={() => void list.clearCompleted()} />}
            </>
          )}
        </section>
        <p className="muted shortcuts">
          Keys: <kbd>n</kbd> new task, <kbd>/</kbd> search, <kbd>Esc</kbd> close or cancel.
        </p>
      </main>

      <UndoToast pending={list.pending} onUndo={list.undo} onDismiss={() => void list.commitPending()} />
      <ConfirmDeleteDialog task={emptyTitleTask} onConfirm={deleteTask} onCancel={() => setEmptyTitleTask(null)} />
    </div>
  );
}
