"use client";

import Link from "next/link";
import { useEffect, useRef, type MouseEvent, type ReactNode } from "react";
import type { TaskList } from "@/lib/client/api";
import { listSearch, openView, DEFAULT_STATE, type View } from "@/lib/client/url-state";
import { Icon, type IconName } from "./app-icon";
import { useListDrop } from "./task-dnd";

/** A sidebar entry that takes a dragged task (the Inbox, a list). */
function DropTarget({ listId, children, ...rest }: { listId: number | null; children: ReactNode; "data-list-id"?: number }) {
  const { setNodeRef, isOver } = useListDrop(listId);
  return (
    <li ref={setNodeRef} data-drop-over={isOver || undefined} {...rest}>
      {children}
    </li>
  );
}

export const SIDEBAR_ID = "sidebar";

export const VIEW_NAMES: Record<View, string> = { inbox: "Inbox", today: "Today", upcoming: "Upcoming", completed: "Completed" };
const VIEW_ICONS: Record<View, IconName> = { inbox: "inbox", today: "today", upcoming: "upcoming", completed: "done" };

/** A view's or a list's address, in its own order. */
export function viewHref(view: View, list: number | null = null): string {
  return `/tasks${listSearch({ ...DEFAULT_STATE, ...openView(view, list) })}`;
}

interface Props {
  /** A drawer on narrow screens: open or not (wide screens always show it). */
  open: boolean;
  onClose: () => void;
  view: View;
  /** The list shown, if one is. */
  list: number | null;
  lists: TaskList[];
  onView: (view: View, list: number | null) => void;
  onNewList: () => void;
  onEditList: (list: TaskList) => void;
  user: { name: string; email: string };
  onSignOut: () => void;
  signingOut: boolean;
}

/** The views, the user's lists (each with its colour and open count), and who is signed in. */
export function Sidebar({ open, onClose, view, list, lists, onView, onNewList, onEditList, user, onSignOut, signingOut }: Props) {
  const navRef = useRef<HTMLElement>(null);

  // An opened drawer takes focus; the menu button gets it back when it closes (see TasksPage).
  useEffect(() => {
    if (open) navRef.current?.querySelector<HTMLElement>("a[aria-current=page]")?.focus();
  }, [open]);

  function choose(event: MouseEvent<HTMLAnchorElement>, chosen: View, chosenList: number | null = null) {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    onView(chosen, chosenList);
    onClose();
  }

  return (
    <>
      {open && <div className="drawer-backdrop" onClick={onClose} aria-hidden="true" />}
      <nav
        id={SIDEBAR_ID}
        ref={navRef}
        className="sidebar"
        data-open={open || undefined}
        aria-label="Views and lists"
        onKeyDown={(event) => {
          if (event.key === "Escape" && open) {
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <ul className="views">
          {(Object.keys(VIEW_NAMES) as View[]).map((v) => {
            const link = (
              <a href={viewHref(v)} aria-current={list === null && v === view ? "page" : undefined} onClick={(event) => choose(event, v)}>
                <Icon name={VIEW_ICONS[v]} />
                {VIEW_NAMES[v]}
              </a>
            );
            // A task dropped on the Inbox leaves its list.
            return v === "inbox" ? (
              <DropTarget key={v} listId={null}>
                {link}
              </DropTarget>
            ) : (
              <li key={v}>{link}</li>
            );
          })}
        </ul>
        <div className="lists-head">
          <h2 id="lists-heading">Lists</h2>
          <button type="button" className="icon-button" aria-label="New list" onClick={onNewList}>
            <Icon name="plus" />
          </button>
        </div>
        <ul className="views lists" aria-labelledby="lists-heading">
          {lists.map((l) => (
            <DropTarget key={l.id} listId={l.id} data-list-id={l.id}>
              <a href={viewHref("inbox", l.id)} aria-current={l.id === list ? "page" : undefined} onClick={(event) => choose(event, "inbox", l.id)}>
                <span className="list-dot" data-color={l.color} aria-hidden="true" />
                <span className="list-name">{l.name}</span>
                {l.open_count > 0 && (
                  <span className="count">
                    <span aria-hidden="true">{l.open_count}</span>
                    <span className="sr-only">, {l.open_count} open</span>
                  </span>
                )}
              </a>
              <button type="button" className="icon-button list-edit" aria-label={`Edit list ${l.name}`} onClick={() => onEditList(l)}>
                <Icon name="edit" />
              </button>
            </DropTarget>
          ))}
        </ul>
        <div className="sidebar-user">
          <p className="user-name">{user.name}</p>
          <p className="user-email">{user.email}</p>
          <Link href="/account">Account</Link>
          <button type="button" onClick={onSignOut} disabled={signingOut}>
            {signingOut ? "Signing out…" : "Sign out"}
          </button>
        </div>
      </nav>
    </>
  );
}
