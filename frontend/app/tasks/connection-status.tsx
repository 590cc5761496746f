"use client";

import { onlineManager, useMutationState } from "@tanstack/react-query";
import { useSyncExternalStore } from "react";

const isOnline = () => onlineManager.isOnline();
// Rendered on the server as online: the page was just served.
const serverOnline = () => true;

function changes(count: number): string {
  return `${count} ${count === 1 ? "change" : "changes"}`;
}

/**
 * A small note in the top bar: offline (and how many changes wait on this device), or sending
 * them once back. Always in the page, so screen readers announce when it changes; nothing blocks.
 */
export function ConnectionStatus() {
  const online = useSyncExternalStore(onlineManager.subscribe.bind(onlineManager), isOnline, serverOnline);
  const writes = useMutationState({ filters: { mutationKey: ["task-write"], status: "pending" } });
  const waiting = writes.length;
  // Online, a click's own write is not news; a queue being replayed, or a write being retried, is.
  const held = writes.some((w) => w.isPaused || w.failureCount > 0);
  const text = !online ? `Offline${waiting ? ` · ${changes(waiting)} saved on this device` : ""}` : held ? `Sending ${changes(waiting)}…` : "";
  return (
    <p role="status" className="connection-status" data-offline={!online || undefined} data-waiting={waiting}>
      {text}
    </p>
  );
}
