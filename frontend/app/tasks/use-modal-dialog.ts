"use client";

import { useEffect, useRef } from "react";

/** A native <dialog> shown as a modal while `open` (the browser traps focus, Escape closes it,
 * focus returns to where it was), closed otherwise. */
export function useModalDialog(open: boolean) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return dialogRef;
}
