"use client";

import { QueryClient, type QueryKey } from "@tanstack/react-query";
import { PersistQueryClientProvider } from "@tanstack/react-query-persist-client";
import { useRouter } from "next/navigation";
import { Fragment, useEffect, useMemo, useRef, useState } from "react";
import { flushSync } from "react-dom";
import { createApiClient, type ApiClient, type Task } from "@/lib/client/api";
import { authClient, authFailure } from "@/lib/client/auth-client";
import { shortcutFor } from "@/lib/client/shortcuts";
import { followBrowserOnlineState, idbPersister, PERSIST_MAX_AGE_MS, registerTaskWrites, replaceTemporary, shouldSaveWrite, TemporaryIds } from "@/lib/client/offline";
import { emptyMessage, mapTasks, type Pages } from "@/lib/client/task-list";
import { withNext } from "@/lib/shared/safe-redirect";
import { AddTaskForm } from "./add-task-form";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";
import { ConnectionStatus } from "./connection-status";
import { DisclosureButton } from "./disclosure-button";
import { FilterPanel } from "./filter-panel";
import { Icon } from "./app-icon";
import { ListFooter } from "./list-footer";
import { ShortcutsDialog } from "./shortcuts-dialog";
import { ListDialog, type ListDialogTarget } from "./list-dialog";
import { Sidebar, SIDEBAR_ID, VIEW_NAMES } from "./sidebar";
import { TaskDnd } from "./task-dnd";
import { TaskItem } from "./task-item";
import { UndoToast } from "./undo-toast";
import { useListState } from "./use-list-state";
import { LISTS_KEY, useLists } from "./use-lists";
import { useLiveUpdates } from "./use-live-updates";
import { useTaskList } from "./use-task-list";
import { dayHeading } from "@/lib/client/due-dates";
import { openView, type View } from "@/lib/client/url-state";

interface Props {
  /** `id` names this person's saved cache and queue on the device (never shown, never sent). */
  user: { id: string; name: string; email: string };
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

function checkboxOf(id: number): HTMLInputElement | null {
  return document.querySelector<HTMLInputElement>(`li[data-task-id="${id}"] input.check`);
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
  const [notice, setNotice] = useState<string | null>(null);
  const [offline] = useState(() => {
    // Failures are shown with a Retry button; the API client already retries a refused token once.
    // Data is kept as long as its saved copy (PERSIST_MAX_AGE_MS): the page opens offline from it.
    const queryClient = new QueryClient({
      defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 10_000, gcTime: PERSIST_MAX_AGE_MS } },
    });
    const ids = new TemporaryIds(`temporary-ids:${user.id}`);
    const refetch = (keys: QueryKey[]) => keys.forEach((queryKey) => void queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false }));
    registerTaskWrites(queryClient, api, ids, {
      onDropped: setNotice,
      onSettled: () => refetch([["tasks"], ["counts"], ["tags"], LISTS_KEY]),
      onCreated: (tempId, task) => queryClient.setQueriesData<Pages>({ queryKey: ["tasks"] }, (data) => replaceTemporary(data, tempId, task)),
      onSaved: (task) => queryClient.setQueriesData<Pages>({ queryKey: ["tasks"] }, (data) => mapTasks(data, (t) => (t.id === task.id ? task : t))),
    });
    return { queryClient, ids, persister: idbPersister(`query-cache:${user.id}`) };
  });
  const { queryClient, persister } = offline;
  useEffect(followBrowserOnlineState, []);

  /** Signing out leaves nothing of this person on the device: saved lists, queue, the page kept for offline. */
  async function forgetDevice() {
    await Promise.all([persister.forget(), offline.ids.forget(), forgetOfflinePage()]);
  }

  return (
    <PersistQueryClientProvider
      client={queryClient}
      persistOptions={{ persister, maxAge: PERSIST_MAX_AGE_MS, buster: CACHE_VERSION, dehydrateOptions: { shouldDehydrateMutation: shouldSaveWrite } }}
      onSuccess={() => {
        // What was saved is shown at once and fetched again; writes saved unsent go on, in order
        // (not awaited: offline they wait, and the page must not).
        void queryClient.invalidateQueries(undefined, { cancelRefetch: false });
        if (queryClient.getMutationCache().getAll().some((m) => m.state.isPaused)) {
          void queryClient.resumePausedMutations();
        }
      }}
    >
      <TasksPage user={user} api={api} apiUrl={apiUrl} search={search} notice={notice} setNotice={setNotice} forgetDevice={forgetDevice} />
    </PersistQueryClientProvider>
  );
}

/** Bumped when what is saved changes shape: an older saved cache is dropped. */
const CACHE_VERSION = "1";

/** The service worker's copies of the tasks page (it names the person). */
async function forgetOfflinePage() {
  if (!("caches" in window)) return;
  for (const name of await caches.keys()) if (name.startsWith("todo-shell-")) await caches.delete(name);
}

interface PageProps extends Props {
  api: ApiClient;
  notice: string | null;
  setNotice: (notice: string | null) => void;
  forgetDevice: () => Promise<void>;
}

function TasksPage({ user, api, apiUrl, search, notice, setNotice, forgetDevice }: PageProps) {
  const router = useRouter();
  const [state, setState] = useListState(search);
  /** What the last Alt+arrow move did, for screen readers (a drag announces itself). */
  const [moved, setMoved] = useState("");
  const [emptyTitleTask, setEmptyTitleTask] = useState<Task | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [drawerOpen, setDrawerOpen] = useState(false);
  const [sheetOpen, setSheetOpen] = useState(false);
  const [activeId, setActiveId] = useState<number | null>(null);
  const [editingId, setEditingId] = useState<number | null>(null);
  /** The row whose checkbox takes focus once it is on screen (after an edit ends, an undo). */
  const focusId = useRef<number | null>(null);
  const quickAddRef = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const loadMoreRef = useRef<HTMLButtonElement>(null);
  const afterG = useRef(false);
  const list = useTaskList(api, state, setNotice);
  const lists = useLists(api, !list.loading);
  // Opened after the first screen: its two calls come first.
  useLiveUpdates(api, apiUrl, !list.loading && !signingOut);
  const [listDialog, setListDialog] = useState<ListDialogTarget | null>(null);
  const shownList = state.list === null ? null : lists.lists.find((l) => l.id === state.list);
  const title = state.list === null ? VIEW_NAMES[state.view] : (shownList?.name ?? "List");
  const editedIndex = listDialog?.kind === "edit" ? lists.lists.findIndex((l) => l.id === listDialog.list.id) : -1;
  // The server checked the session before rendering; the hook keeps watching it (on focus, and when
  // another tab signs out), so a session that ends elsewhere sends this tab to log in too.
  const session = authClient.useSession();
  const sessionEnded = !session.isPending && session.data === null && (!session.error || session.error.status === 401);
  const shownUser = session.data?.user ?? user;
  const { counts, rows } = list;
  // The list's one Tab stop: the row last focused, or the first.
  const active = rows.find((task) => task.id === activeId) ?? rows[0] ?? null;

  useEffect(() => {
    // Our own sign-out navigates by itself.
    if (sessionEnded && !signingOut) router.replace(withNext("/auth/login", "/tasks"));
  }, [sessionEnded, signingOut, router]);

  useEffect(() => {
    if (focusId.current !== null && checkboxOf(focusId.current)) {
      checkboxOf(focusId.current)?.focus();
      focusId.current = null;
    }
  });

  // Scrolling near the end loads the next page; the button stays for keyboards.
  const { hasMore, loadingMore, loadMore } = list;
  useEffect(() => {
    const button = loadMoreRef.current;
    if (!button || !hasMore || loadingMore) return;
    const observer = new IntersectionObserver((entries) => entries.some((entry) => entry.isIntersecting) && loadMore(), { rootMargin: "300px" });
    observer.observe(button);
    return () => observer.disconnect();
  }, [hasMore, loadingMore, loadMore]);

  function focusRow(task: Task | null) {
    if (!task) {
      quickAddRef.current?.focus();
      return;
    }
    setActiveId(task.id);
    const box = checkboxOf(task.id);
    if (box) box.focus();
    else focusId.current = task.id;
  }

  function deleteTask(task: Task) {
    setEmptyTitleTask(null);
    // The row is about to vanish: keyboard focus moves to its neighbour (or the add field).
    const index = rows.findIndex((t) => t.id === task.id);
    void list.remove(task);
    focusRow(rows[index + 1] ?? rows[index - 1] ?? null);
  }

  function undo() {
    const pending = list.pending;
    list.undo();
    if (pending?.kind === "delete") focusRow(pending.task);
  }

  function dismissUndo() {
    void list.commitPending();
    // The toast goes away with its buttons; focus goes back to the list.
    focusRow(active);
  }

  function openFilters() {
    flushSync(() => setFiltersOpen(true));
  }

  function closeDrawer() {
    setDrawerOpen(false);
    menuButtonRef.current?.focus();
  }

  // Kept in a ref so the one document listener always sees this render's rows and state.
  const onShortcut = useRef<(event: KeyboardEvent) => void>(() => undefined);
  function handleShortcut(event: KeyboardEvent) {
    if (event.defaultPrevented || isTextEntry(event.target) || document.querySelector("dialog[open]")) return;
    const target = event.target instanceof Element ? event.target : null;
    // A subtask's own controls (its checkbox, the add field) are not the row's.
    if (target?.closest(".subtasks")) return;
    const onTask = target?.closest("ul.task-list") !== null && target !== null;
    // Enter and Space press the row's own buttons (edit, delete, a tag).
    if (onTask && target.closest("button") && (event.key === "Enter" || event.key === " ")) return;
    const shortcut = shortcutFor(event, afterG.current);
    afterG.current = shortcut?.kind === "goTo";
    if (!shortcut) return;
    // Enter, Space, Delete and Backspace act on a task only when a task has focus: elsewhere they
    // belong to the focused button, or scroll the page.
    if (!onTask && [" ", "Enter", "Delete", "Backspace"].includes(event.key)) return;
    // Space on the checkbox ticks it natively (and Enter edits, see TaskItem).
    if (onTask && event.target instanceof HTMLInputElement && (event.key === " " || event.key === "Enter")) return;
    event.preventDefault();
    // The task the key is about: the one holding focus, else the list's active one.
    const focusedId = Number(target?.closest("li[data-task-id]")?.getAttribute("data-task-id"));
    const subject = rows.find((task) => task.id === focusedId) ?? active;
    const index = subject ? rows.indexOf(subject) : -1;
    switch (shortcut.kind) {
      case "move":
        if (rows.length === 0) return;
        focusRow(rows[Math.min(rows.length - 1, Math.max(0, onTask ? index + shortcut.by : index))] ?? null);
        return;
      case "reorder":
        // Only rows in manual order move (a list's own order, or "My order" chosen in the panel).
        if (subject && list.move) {
          void list.move(subject, shortcut.by < 0 ? "up" : "down");
          setMoved(`Moved ${subject.title} ${shortcut.by < 0 ? "up" : "down"}.`);
          focusRow(subject);
        }
        return;
      case "undo":
        undo();
        return;
      case "goTo":
        return;
      case "view":
        setState(openView(shortcut.view));
        return;
      case "help":
        setSheetOpen(true);
        return;
      case "newTask":
        quickAddRef.current?.focus();
        return;
      case "search":
        openFilters();
        searchRef.current?.focus();
        return;
    }
    if (!subject) return;
    switch (shortcut.kind) {
      case "toggle":
        void list.toggle(subject);
        break;
      case "edit":
        setEditingId(subject.id);
        break;
      case "delete":
        deleteTask(subject);
        return;
      case "dueToday":
        void list.dueToday(subject);
        break;
      case "priority":
        void list.setPriority(subject, shortcut.priority);
        break;
    }
    focusRow(subject);
  }
  useEffect(() => {
    onShortcut.current = handleShortcut;
  });

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onShortcut.current(event);
    document.addEventListener("keydown", listener);
    return () => document.removeEventListener("keydown", listener);
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
    await forgetDevice();
    router.replace("/auth/login?notice=signed-out");
    router.refresh();
  }

  return (
    <TaskDnd
      rows={rows}
      lists={lists.lists}
      onReorder={list.moveAfter && ((task, afterId) => void list.moveAfter?.(task, afterId))}
      onToList={(task, listId) => void list.moveToList(task, listId)}
    >
    <div className="shell">
      <header className="topbar">
        <DisclosureButton ref={menuButtonRef} className="icon-button menu-button" open={drawerOpen} controls={SIDEBAR_ID} aria-label="Menu" onOpenChange={setDrawerOpen}>
          <Icon name="menu" />
        </DisclosureButton>
        <h1>Tasks</h1>
        <ConnectionStatus />
        <button type="button" className="icon-button" aria-label="Keyboard shortcuts" aria-keyshortcuts="?" onClick={() => setSheetOpen(true)}>
          <Icon name="keyboard" />
        </button>
      </header>

      <Sidebar
        open={drawerOpen}
        onClose={closeDrawer}
        view={state.view}
        list={state.list}
        lists={lists.lists}
        onView={(view: View, listId: number | null) => setState(openView(view, listId))}
        onNewList={() => setListDialog({ kind: "create" })}
        onEditList={(l) => setListDialog({ kind: "edit", list: l })}
        user={shownUser}
        onSignOut={signOut}
        signingOut={signingOut}
      />

      <main className="content">
        <FilterPanel
          heading={
            <h2 id="list-heading" className="view-title">
              {shownList && <span className="list-dot" data-color={shownList.color} aria-hidden="true" />}
              {title}
            </h2>
          }
          open={filtersOpen}
          onOpenChange={setFiltersOpen}
          state={state}
          setState={setState}
          counts={counts}
          searchRef={searchRef}
          tags={list.tags}
          tagsLoading={list.tagsLoading}
          onWantTags={list.wantTags}
        />

        {/* Tag suggestions are fetched once someone starts adding, not for the first screen. */}
        <div onFocusCapture={list.wantTags}>
          <AddTaskForm
            ref={quickAddRef}
            // A task added in a list goes into it; one added in Today is due today.
            onCreate={(input) =>
              list.create({
                ...input,
                list_id: input.list_id ?? state.list,
                due_date: input.due_date ?? (state.view === "today" && state.list === null ? list.today : null),
              })
            }
            tags={list.tagNames}
            lists={lists.lists}
          />
        </div>

        {notice && (
          <div role="alert" className="alert">
            <span>{notice}</span>
            <button type="button" className="link" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        )}

        <section className="list-card" aria-labelledby="list-heading">
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
                  {rows.map((task, index) => (
                    <Fragment key={task.id}>
                    {state.view === "upcoming" && state.list === null && state.sort === "due" && task.due_date && task.due_date !== rows[index - 1]?.due_date && (
                      <li className="day-heading">
                        <h3>{dayHeading(task.due_date, list.today)}</h3>
                      </li>
                    )}
                    <TaskItem
                      key={task.id}
                      task={task}
                      api={api}
                      lists={lists.lists}
                      showList={state.list !== task.list_id}
                      onSubtasksChanged={list.refreshRows}
                      today={list.today}
                      active={task.id === active?.id}
                      editing={task.id === editingId}
                      onActivate={() => setActiveId(task.id)}
                      onEdit={(editing) => {
                        setEditingId(editing ? task.id : null);
                        if (!editing) focusRow(task);
                      }}
                      onToggle={() => void list.toggle(task)}
                      onSave={(changes) => void list.save(task, changes)}
                      onDelete={() => deleteTask(task)}
                      onEmptyTitle={() => setEmptyTitleTask(task)}
                      onTag={(tag) => setState({ tag: state.tag.includes(tag) ? state.tag : [...state.tag, tag] })}
                    />
                    </Fragment>
                  ))}
                </ul>
              )}
              {list.hasMore && (
                <button ref={loadMoreRef} type="button" className="load-more" onClick={list.loadMore} disabled={list.loadingMore}>
                  {list.loadingMore ? "Loading…" : "Load more"}
                </button>
              )}
              {counts && <ListFooter counts={counts} onToggleAll={() => void list.toggleAll()} onClearCompleted={() => void list.clearCompleted()} />}
            </>
          )}
        </section>
        <p role="status" className="sr-only">
          {moved}
        </p>
        <p className="muted shortcuts">
          Press <kbd>?</kbd> for keyboard shortcuts.
        </p>
      </main>

      <UndoToast pending={list.pending} onUndo={undo} onDismiss={dismissUndo} />
      <ConfirmDeleteDialog task={emptyTitleTask} onConfirm={deleteTask} onCancel={() => setEmptyTitleTask(null)} />
      <ShortcutsDialog open={sheetOpen} onClose={() => setSheetOpen(false)} />
      <ListDialog
        target={listDialog}
        canMove={{ up: editedIndex > 0, down: editedIndex >= 0 && editedIndex < lists.lists.length - 1 }}
        onClose={() => setListDialog(null)}
        onSave={async (fields) => {
          if (listDialog?.kind === "edit") {
            await lists.update(listDialog.list.id, fields);
            return;
          }
          const created = await lists.create(fields);
          setState(openView("inbox", created.id));
        }}
        onMove={(by) => (listDialog?.kind === "edit" ? lists.move(listDialog.list, by) : Promise.resolve())}
        onDelete={async (tasks) => {
          if (listDialog?.kind !== "edit") return;
          await lists.remove(listDialog.list.id, tasks);
          if (state.list === listDialog.list.id) setState(openView("inbox"));
        }}
      />
    </div>
    </TaskDnd>
  );
}
