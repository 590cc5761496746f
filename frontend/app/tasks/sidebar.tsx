"use client";

import Link from "next/link";
import { useEffect, useRef, type MouseEvent } from "react";
import type { View } from "@/lib/client/url-state";
import { Icon, type IconName } from "./app-icon";

export const SIDEBAR_ID = "sidebar";

export const VIEW_NAMES: Record<View, string> = { inbox: "Inbox", today: "Today", upcoming: "Upcoming" };
const VIEW_ICONS: Record<View, IconName> = { inbox: "inbox", today: "today", upcoming: "upcoming" };

interface Props {
  /** A drawer on narrow screens: open or not (wide screens always show it). */
  open: boolean;
  onClose: () => void;
  view: View;
  onView: (view: View) => void;
  user: { name: string; email: string };
  onSignOut: () => void;
  signingOut: boolean;
}

/** The views, and who is signed in. Lists (issue 20) take their place under the views. */
export function Sidebar({ open, onClose, view, onView, user, onSignOut, signingOut }: Props) {
  const navRef = useRef<HTMLElement>(null);

  // An opened drawer takes focus; the menu button gets it back when it closes (see TasksPage).
  useEffect(() => {
    if (open) navRef.current?.querySelector<HTMLElement>("a[aria-current=page]")?.focus();
  }, [open]);

  function choose(event: MouseEvent<HTMLAnchorElement>, chosen: View) {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    onView(chosen);
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
        aria-label="Views"
        onKeyDown={(event) => {
          if (event.key === "Escape" && open) {
            event.stopPropagation();
            onClose();
          }
        }}
      >
        <ul className="views">
          {(Object.keys(VIEW_NAMES) as View[]).map((v) => (
            <li key={v}>
              <a
                href={v === "inbox" ? "/tasks" : `/tasks?view=${v}`}
                aria-current={v === view ? "page" : undefined}
                onClick={(event) => choose(event, v)}
              >
                <Icon name={VIEW_ICONS[v]} />
                {VIEW_NAMES[v]}
              </a>
            </li>
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
