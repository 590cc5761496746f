"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { ApiError, AuthRequiredError, createApiClient, type NewTask, type Task, type TaskChanges } from "@/lib/client/api";
import { authClient, authFailure } from "@/lib/client/auth-client";
import { withNext } from "@/lib/shared/safe-redirect";
import { countTasks, filterTasks, removeTask, upsertTask, type Filter } from "@/lib/client/task-list";
import { AddTaskForm } from "./add-task-form";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";
import { describeFailure } from "./messages";
import { TaskFilters } from "./task-filters";
import { TaskItem } from "./task-item";

interface Props {
  user: { name: string; email: string };
  apiUrl: string;
}

type LoadState = { status: "loading" } | { status: "ready" } | { status: "failed"; message: string };

const EMPTY_TEXT: Record<Filter, string> = {
  all: "No tasks yet. Add your first one above.",
  active: "No tasks left to do.",
  completed: "No tasks completed yet.",
};

export function TasksApp({ user, apiUrl }: Props) {
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
  const [tasks, setTasks] = useState<Task[]>([]);
  const [load, setLoad] = useState<LoadState>({ status: "loading" });
  const [filter, setFilter] = useState<Filter>("all");
  const [notice, setNotice] = useState<string | null>(null);
  const [pendingDelete, setPendingDelete] = useState<Task | null>(null);
  const [signingOut, setSigningOut] = useState(false);
  const [loadAttempt, setLoadAttempt] = useState(0);
  const titleInputRef = useRef<HTMLInputElement>(null);
  // The server checked the session before rendering; the hook keeps watching it (on focus, and when
  // another tab signs out), so a session that ends elsewhere sends this tab to log in too.
  const session = authClient.useSession();
  const sessionEnded = !session.isPending && session.data === null && (!session.error || session.error.status === 401);
  const shownUser = session.data?.user ?? user;

  useEffect(() => {
    let current = true;
    api.listTasks().then(
      (loaded) => {
        if (!current) return;
        setTasks(loaded);
        setLoad({ status: "ready" });
      },
      (error: unknown) => {
        if (!current || error instanceof AuthRequiredError) return;
        setNotice(null);
        setLoad({ status: "failed", message: `Could not load your tasks. ${describeFailure(error)}` });
      },
    );
    return () => {
      current = false;
    };
  }, [api, loadAttempt]);

  useEffect(() => {
    // Our own sign-out navigates by itself.
    if (sessionEnded && !signingOut) router.replace(withNext("/auth/login", "/tasks"));
  }, [sessionEnded, signingOut, router]);

  function retry() {
    setLoad({ status: "loading" });
    setLoadAttempt((attempt) => attempt + 1);
  }

  async function addTask(task: NewTask): Promise<void> {
    setNotice(null);
    try {
      const created = await api.createTask(task);
      setTasks((current) => upsertTask(current, created));
    } catch (error) {
      // The form shows the reason and keeps what was typed.
      throw error instanceof AuthRequiredError ? error : new Error(describeFailure(error), { cause: error });
    }
  }

  /**
   * Shows a change at once, then reconciles with the server's answer. On
   * failure the task is put back as it was and the reason is shown.
   */
  async function changeOptimistically(task: Task, apply: (tasks: Task[]) => Task[], send: () => Promise<Task | null>, action: string) {
    setNotice(null);
    setTasks(apply);
    try {
      const saved = await send();
      if (saved) setTasks((current) => upsertTask(current, saved));
    } catch (error) {
      if (error instanceof AuthRequiredError) return;
      if (error instanceof ApiError && error.status === 404) {
        setTasks((current) => removeTask(current, task.id));
        setNotice(`"${task.title}" no longer exists; it may have been deleted elsewhere.`);
        return;
      }
      setTasks((current) => upsertTask(current, task));
      setNotice(`Could not ${action} "${task.title}": ${describeFailure(error)}`);
    }
  }

  function updateTask(task: Task, changes: TaskChanges, action: string) {
    return changeOptimistically(
      task,
      (current) => upsertTask(current, { ...task, ...changes }),
      () => api.updateTask(task.id, changes),
      action,
    );
  }

  async function confirmDelete(task: Task) {
    setPendingDelete(null);
    titleInputRef.current?.focus();
    await changeOptimistically(
      task,
      (current) => removeTask(current, task.id),
      async () => {
        await api.deleteTask(task.id);
        return null;
      },
      "delete",
    );
  }

  async function signOut() {
    setSigningOut(true);
    api.clearToken();
    if (await authFailure(authClient.signOut())) {
      setSigningOut(false);
      setNotice("Could not sign out. Check your connection and try again.");
      return;
    }
    router.replace("/auth/login?notice=signed-out");
    router.refresh();
  }

  const counts = countTasks(tasks);
  const visible = filterTasks(tasks, filter);

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
        <AddTaskForm ref={titleInputRef} onCreate={addTask} tags={[...new Set(tasks.flatMap((task) => task.tags))].sort()} />

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
          <TaskFilters filter={filter} counts={counts} onChange={setFilter} />

          {load.status === "loading" && (
            <p role="status" className="muted">
              Loading tasks…
            </p>
          )}
          {load.status === "failed" && (
            <div role="alert" className="alert">
              <span>{load.message}</span>
              <button type="button" onClick={retry}>
                Retry
              </button>
            </div>
          )}
          {load.status === "ready" &&
            (visible.length === 0 ? (
              <p className="empty">{EMPTY_TEXT[filter]}</p>
            ) : (
              <ul aria-label="Tasks" className="task-list">
                {visible.map((task) => (
                  <TaskItem
                    key={task.id}
                    task={task}
                    onToggle={() => updateTask(task, { completed: !task.completed }, task.completed ? "reopen" : "complete")}
                    onSave={(changes) => updateTask(task, changes, "save")}
                    onDelete={() => setPendingDelete(task)}
                    onInvalid={setNotice}
                  />
                ))}
              </ul>
            ))}
        </section>
      </main>

      <ConfirmDeleteDialog task={pendingDelete} onConfirm={confirmDelete} onCancel={() => setPendingDelete(null)} />
    </div>
  );
}
